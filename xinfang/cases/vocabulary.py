"""The case vocabulary: statuses, actions, event kinds and clocks, each with its label and article.

Pure: no Django. Every other place that names one of these derives it from here: the model
choices (`xinfang.cases.models.Status`), the transitions check (`xinfang.cases.transitions`), the
replay, the timeline texts (`xinfang.cases.presentation`), the API paths and summaries
(`xinfang.api.presenters.ACTION_PATHS`, `xinfang.api.actions`), the workbench pages and the action
table in docs/case-workflow.md, which `xinfang/cases/tests/test_vocabulary.py` checks against it.

The enums are `StrEnum`, so a member *is* the string stored in the database (`Case.status`,
`CaseEvent.kind`): `Status.REGISTERED == "registered"`, and nothing stored changes.

The clock names live in `xinfang.deadlines.vocabulary` and are re-exported here: the deadline rules
name clocks too, and the deadlines app must not import the cases app.

Legal references are articles of the 《信访工作条例》 (2022), "" where the step is bookkeeping.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from xinfang.deadlines.vocabulary import (
    CLOCK_LONG_LABELS,
    CLOCK_NAMES,
    CLOCK_SHORT_LABELS,
    CLOCK_TERMS,
    Clock,
    ClockTerm,
)

__all__ = [
    "ACTIONS",
    "ACTION_LABELS",
    "APPROVAL_KINDS",
    "BOOKKEEPING",
    "BUREAU_ONLY",
    "CLOCK_LONG_LABELS",
    "CLOCK_NAMES",
    "CLOCK_SHORT_LABELS",
    "CLOCK_TERMS",
    "EVENTS",
    "EVENT_LABELS",
    "INSTRUCTION_ACTIONS",
    "KIND_ACTIONS",
    "SAME",
    "STATUS_LABELS",
    "TRANSITIONS",
    "Action",
    "ActionTerm",
    "Clock",
    "ClockTerm",
    "EventKind",
    "EventTerm",
    "Status",
]


class Status(StrEnum):
    REGISTERED = "registered"
    ROUTED = "routed"
    ACCEPTED = "accepted"
    REPLIED = "replied"
    DELIVERED = "delivered"
    REVIEWING = "reviewing"
    REVIEWED = "reviewed"
    REREVIEWING = "rereviewing"
    DECLINED = "declined"
    REFUSED_AGAIN = "refused_again"
    TERMINATED = "terminated"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[str, str] = {
    Status.REGISTERED: "待交转",
    Status.ROUTED: "待受理",
    Status.ACCEPTED: "办理中",
    Status.REPLIED: "已答复待送达",
    Status.DELIVERED: "已送达",
    Status.REVIEWING: "复查中",
    Status.REVIEWED: "已复查",
    Status.REREVIEWING: "复核中",
    Status.DECLINED: "不予受理",
    Status.REFUSED_AGAIN: "不再受理",
    Status.TERMINATED: "已终结",
}


class Action(StrEnum):
    REGISTER = "register"  # creates the case, so it has no row in TRANSITIONS
    FORWARD = "forward"
    ASSIGN = "assign"  # with a completion report due
    ANSWER = "answer"  # the registering organ answers directly
    DECLINE = "decline"  # pointing to the legal channel
    REFUSE_AGAIN = "refuse_again"  # same facts and reasons after 复核
    ACCEPT = "accept"
    OBJECT = "object"  # wrongly routed: return within 5 working days
    HEARING_START = "hearing_start"  # 听证 pauses the clock
    HEARING_END = "hearing_end"
    # 延期 (第三十四条): once, ≤ 30 days, approved by the organ, petitioner told why. The handler
    # requests it; it starts only when an approver of the unit approves (the `extended` event).
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    RETURN_EXTENSION = "return_extension"
    # The draft 信访处理意见书 goes to the unit's approver; approving it issues it (then 送达).
    SUBMIT_REPLY_FOR_APPROVAL = "submit_reply_for_approval"
    APPROVE_REPLY = "approve_reply"
    RETURN_REPLY = "return_reply"
    REPLY = "reply"  # 信访处理意见书 issued directly: a unit that needs no approval
    DELIVER = "deliver"  # served on the petitioner
    RATE = "rate"
    # The 复查 / 复核 organ's draft opinion goes to its approver; approving it issues it.
    SUBMIT_OPINION_FOR_APPROVAL = "submit_opinion_for_approval"
    APPROVE_OPINION = "approve_opinion"
    RETURN_OPINION = "return_opinion"
    REVIEW_REQUEST = "review_request"  # within 30 days of delivery
    REVIEW_DECIDE = "review_decide"
    REREVIEW_REQUEST = "rereview_request"  # within 30 days of the 复查 opinion
    REREVIEW_DECIDE = "rereview_decide"
    TERMINATE = "terminate"
    ADD_ASSISTING = "add_assisting"  # joint handling: an assisting unit
    LINK = "link"  # 重复信访 of an earlier case, or a duplicate of a master
    ATTACH = "attach"  # add material (letters, photos, minutes) to the file
    SUPERVISE = "supervise"  # note a 督办 step in the case's history
    # note a leader's step (接访, 约访, 下访, 包案, 会商) in the case's history (xinfang.leadership)
    NOTE_LEADERSHIP = "note_leadership"
    # note a step at the reception hall or a grass-roots point (联合接访, 律师接访, 基层调解上报)
    # in the case's history (xinfang.reception)
    NOTE_RECEPTION = "note_reception"
    # 领导阅批: a bureau head sends the case to a leader, who writes a 批示 addressed to the unit
    # handling it; the unit reports back how it was carried out (xinfang.cases.services.instructions).
    SEND_FOR_INSTRUCTION = "send_for_instruction"
    INSTRUCT = "instruct"
    REPORT_ON_INSTRUCTION = "report_on_instruction"

    @property
    def label(self) -> str:
        return ACTIONS[self].label

    @property
    def legal_ref(self) -> str:
        return ACTIONS[self].legal_ref

    @property
    def path(self) -> str:
        """The URL segment of the action (API: /api/v1/cases/{id}/<path>)."""
        return ACTIONS[self].path or self.value.replace("_", "-")


class Taker(StrEnum):
    """Who, besides the unit handling the case now (which may take every step), takes an action.

    Pages offer the action's button to these organs' staff; the service still decides each time.
    """

    ANYONE = "anyone"  # whoever sees the case
    REGISTERING_ORG = "registering_org"
    ORGAN_ABOVE = "organ_above"  # an organ above the current unit: 复查/复核 (第三十五、三十六条)
    REVIEW_ORG = "review_org"  # the organ reviewing the case


class ActionTerm(NamedTuple):
    label: str
    legal_ref: str = ""
    path: str = ""  # the URL segment when it is not the value with hyphens
    also_by: frozenset[Taker] = frozenset()  # who else takes it (see Taker)
    # Taken only while a petition bureau (信访部门) holds the case: routing is a bureau's duty
    # (第二十二条); a department that received a case may only 受理, 不予受理 or 异议退回 (第二十三条).
    bureau_only: bool = False


ACTIONS: dict[Action, ActionTerm] = {
    Action.REGISTER: ActionTerm("登记信访事项", "第二十二条"),
    Action.FORWARD: ActionTerm("转送", "第二十二条", bureau_only=True),
    Action.ASSIGN: ActionTerm("交办", "第二十二条", bureau_only=True),
    Action.ANSWER: ActionTerm("直接答复", "第二十二条"),
    Action.DECLINE: ActionTerm("不予受理", "第三十一条"),
    Action.REFUSE_AGAIN: ActionTerm("不再受理", "第三十六条"),
    Action.ACCEPT: ActionTerm("受理", "第二十三条"),
    Action.OBJECT: ActionTerm("异议退回", "第二十三条"),
    Action.HEARING_START: ActionTerm("启动听证", "第三十一条、第三十六条"),
    Action.HEARING_END: ActionTerm("结束听证", "第三十一条、第三十六条"),
    Action.REQUEST_EXTENSION: ActionTerm("申请延期", "第三十四条"),
    Action.APPROVE_EXTENSION: ActionTerm("批准延期", "第三十四条"),
    Action.RETURN_EXTENSION: ActionTerm("退回延期申请", "第三十四条"),
    Action.SUBMIT_REPLY_FOR_APPROVAL: ActionTerm("提交处理意见书审核", "第三十二条", path="submit-reply"),
    Action.APPROVE_REPLY: ActionTerm("批准并出具处理意见书", "第三十二条"),
    Action.RETURN_REPLY: ActionTerm("退回处理意见书", "第三十二条"),
    Action.REPLY: ActionTerm("出具处理意见书", "第三十二条"),
    Action.DELIVER: ActionTerm("送达", "第三十五条"),
    Action.RATE: ActionTerm("满意度评价", "第二十一条", also_by=frozenset({Taker.REGISTERING_ORG})),
    Action.SUBMIT_OPINION_FOR_APPROVAL: ActionTerm(
        "提交复查（复核）意见审核", "第三十五条、第三十六条", path="submit-opinion"
    ),
    Action.APPROVE_OPINION: ActionTerm("批准并作出复查（复核）意见", "第三十五条、第三十六条"),
    Action.RETURN_OPINION: ActionTerm("退回复查（复核）意见", "第三十五条、第三十六条"),
    Action.REVIEW_REQUEST: ActionTerm("申请复查", "第三十五条", also_by=frozenset({Taker.ORGAN_ABOVE})),
    Action.REVIEW_DECIDE: ActionTerm("作出复查意见", "第三十五条"),
    Action.REREVIEW_REQUEST: ActionTerm("申请复核", "第三十六条", also_by=frozenset({Taker.ORGAN_ABOVE})),
    Action.REREVIEW_DECIDE: ActionTerm("作出复核意见", "第三十六条"),
    Action.TERMINATE: ActionTerm("终结"),
    Action.ADD_ASSISTING: ActionTerm(
        "增加协办单位", path="assisting-units", also_by=frozenset({Taker.REGISTERING_ORG})
    ),
    Action.LINK: ActionTerm("关联重复件", also_by=frozenset({Taker.ANYONE})),
    Action.ATTACH: ActionTerm(
        "上传附件", also_by=frozenset({Taker.REGISTERING_ORG, Taker.ORGAN_ABOVE, Taker.REVIEW_ORG})
    ),
    Action.SUPERVISE: ActionTerm("记录督办", "第四十条"),
    Action.NOTE_LEADERSHIP: ActionTerm("记录领导接访包案", "第十八条"),
    Action.NOTE_RECEPTION: ActionTerm("记录联合接访和基层化解", "第十八条"),
    # 第十八条: leaders read and act on letters and online petitions (阅办群众来信和网上信访); the steps are taken by
    # the bureau, the leader and the addressed unit, whoever holds the case now.
    Action.SEND_FOR_INSTRUCTION: ActionTerm(
        "呈送领导阅批", "第十八条", path="send-for-instruction", also_by=frozenset({Taker.ANYONE})
    ),
    Action.INSTRUCT: ActionTerm("领导批示", "第十八条", also_by=frozenset({Taker.ANYONE})),
    Action.REPORT_ON_INSTRUCTION: ActionTerm(
        "报告批示落实情况", "第十八条", path="instruction-report", also_by=frozenset({Taker.ANYONE})
    ),
}
ACTION_LABELS: dict[Action, str] = {action: term.label for action, term in ACTIONS.items()}
# Steps only a petition bureau holding the case takes (ActionTerm.bureau_only).
BUREAU_ONLY = frozenset(action for action, term in ACTIONS.items() if term.bureau_only)

# Bookkeeping steps that do not move the case along; pages list them apart from the workflow.
BOOKKEEPING = frozenset(
    {
        Action.LINK,
        Action.ATTACH,
        Action.SUPERVISE,
        Action.NOTE_LEADERSHIP,
        Action.NOTE_RECEPTION,
        Action.SEND_FOR_INSTRUCTION,
        Action.INSTRUCT,
        Action.REPORT_ON_INSTRUCTION,
    }
)
# The leaders' instructions (领导阅批): the steps, on the case page apart from the workflow.
INSTRUCTION_ACTIONS = frozenset({Action.SEND_FOR_INSTRUCTION, Action.INSTRUCT, Action.REPORT_ON_INSTRUCTION})

# Request kind -> (the kind that grants it, the kind that sends it back): a request is pending
# while it is the latest of its three in the log (xinfang.cases.services.approvals).
APPROVAL_KINDS: dict[str, tuple[str, str]] = {
    "extension_requested": ("extended", "extension_returned"),
    "reply_submitted": ("reply_approved", "reply_returned"),
    "opinion_submitted": ("opinion_approved", "opinion_returned"),
}


class EventKind(StrEnum):
    """The kinds of `CaseEvent` the services append (the clocks' own kinds: deadlines.events)."""

    REGISTERED = "registered"
    FORWARDED = "forwarded"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    DECLINED = "declined"
    REFUSED_AGAIN = "refused_again"
    ACCEPTED = "accepted"
    OBJECTED = "objected"
    ASSISTING_ADDED = "assisting_added"
    HEARING_STARTED = "hearing_started"
    HEARING_ENDED = "hearing_ended"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENDED = "extended"  # the extension starts: approved, or self-approved where none is needed
    EXTENSION_RETURNED = "extension_returned"
    REPLY_SUBMITTED = "reply_submitted"
    REPLY_APPROVED = "reply_approved"  # followed by `replied`, which issues it
    REPLY_RETURNED = "reply_returned"
    REPLIED = "replied"
    DELIVERED = "delivered"
    RATED = "rated"
    OPINION_SUBMITTED = "opinion_submitted"
    OPINION_APPROVED = "opinion_approved"  # followed by review_decided / rereview_decided
    OPINION_RETURNED = "opinion_returned"
    REVIEW_REQUESTED = "review_requested"
    REVIEW_DECIDED = "review_decided"
    REREVIEW_REQUESTED = "rereview_requested"
    REREVIEW_DECIDED = "rereview_decided"
    TERMINATED = "terminated"
    LINKED = "linked"
    ATTACHED = "attached"
    SUPERVISED = "supervised"
    SUPERVISION_ANSWERED = "supervision_answered"
    SUPERVISION_CLOSED = "supervision_closed"
    SENT_FOR_INSTRUCTION = "sent_for_instruction"
    INSTRUCTED = "instructed"
    INSTRUCTION_REPORTED = "instruction_reported"
    RECEIVED_BY_LEADER = "received_by_leader"
    APPOINTMENT_HELD = "appointment_held"
    VISITED_DOWN = "visited_down"
    OWNED = "owned"
    OWNER_CHANGED = "owner_changed"
    OWNERSHIP_RESOLVED = "ownership_resolved"
    CONSULTED = "consulted"
    JOINT_RECEIVED = "joint_received"
    LAWYER_CONSULTED = "lawyer_consulted"
    ESCALATED_FROM_POINT = "escalated_from_point"

    @property
    def label(self) -> str:
        return EVENTS[self].label

    @property
    def action(self) -> Action:
        return EVENTS[self].action


class EventTerm(NamedTuple):
    label: str  # the timeline's text
    action: Action  # the action that records it (the replay folds it through TRANSITIONS)


EVENTS: dict[EventKind, EventTerm] = {
    EventKind.REGISTERED: EventTerm("登记", Action.REGISTER),
    EventKind.FORWARDED: EventTerm("转送", Action.FORWARD),
    EventKind.ASSIGNED: EventTerm("交办", Action.ASSIGN),
    EventKind.ANSWERED: EventTerm("直接答复", Action.ANSWER),
    EventKind.DECLINED: EventTerm("不予受理", Action.DECLINE),
    EventKind.REFUSED_AGAIN: EventTerm("不再受理", Action.REFUSE_AGAIN),
    EventKind.ACCEPTED: EventTerm("受理", Action.ACCEPT),
    EventKind.OBJECTED: EventTerm("异议退回", Action.OBJECT),
    EventKind.ASSISTING_ADDED: EventTerm("增加协办单位", Action.ADD_ASSISTING),
    EventKind.HEARING_STARTED: EventTerm("启动听证", Action.HEARING_START),
    EventKind.HEARING_ENDED: EventTerm("听证结束", Action.HEARING_END),
    EventKind.EXTENSION_REQUESTED: EventTerm("申请延期", Action.REQUEST_EXTENSION),
    EventKind.EXTENDED: EventTerm("延期", Action.APPROVE_EXTENSION),
    EventKind.EXTENSION_RETURNED: EventTerm("延期申请退回", Action.RETURN_EXTENSION),
    EventKind.REPLY_SUBMITTED: EventTerm("处理意见书提交审核", Action.SUBMIT_REPLY_FOR_APPROVAL),
    EventKind.REPLY_APPROVED: EventTerm("处理意见书审核通过", Action.APPROVE_REPLY),
    EventKind.REPLY_RETURNED: EventTerm("处理意见书退回修改", Action.RETURN_REPLY),
    EventKind.REPLIED: EventTerm("出具处理意见书", Action.REPLY),
    EventKind.DELIVERED: EventTerm("送达", Action.DELIVER),
    EventKind.RATED: EventTerm("满意度评价", Action.RATE),
    EventKind.OPINION_SUBMITTED: EventTerm("复查（复核）意见提交审核", Action.SUBMIT_OPINION_FOR_APPROVAL),
    EventKind.OPINION_APPROVED: EventTerm("复查（复核）意见审核通过", Action.APPROVE_OPINION),
    EventKind.OPINION_RETURNED: EventTerm("复查（复核）意见退回修改", Action.RETURN_OPINION),
    EventKind.REVIEW_REQUESTED: EventTerm("申请复查", Action.REVIEW_REQUEST),
    EventKind.REVIEW_DECIDED: EventTerm("复查意见", Action.REVIEW_DECIDE),
    EventKind.REREVIEW_REQUESTED: EventTerm("申请复核", Action.REREVIEW_REQUEST),
    EventKind.REREVIEW_DECIDED: EventTerm("复核意见", Action.REREVIEW_DECIDE),
    EventKind.TERMINATED: EventTerm("终结", Action.TERMINATE),
    EventKind.LINKED: EventTerm("关联", Action.LINK),
    EventKind.ATTACHED: EventTerm("上传附件", Action.ATTACH),
    EventKind.SUPERVISED: EventTerm("督办", Action.SUPERVISE),
    EventKind.SUPERVISION_ANSWERED: EventTerm("督办反馈", Action.SUPERVISE),
    EventKind.SUPERVISION_CLOSED: EventTerm("督办办结", Action.SUPERVISE),
    EventKind.SENT_FOR_INSTRUCTION: EventTerm("呈送领导阅批", Action.SEND_FOR_INSTRUCTION),
    EventKind.INSTRUCTED: EventTerm("领导批示", Action.INSTRUCT),
    EventKind.INSTRUCTION_REPORTED: EventTerm("报告批示落实情况", Action.REPORT_ON_INSTRUCTION),
    EventKind.RECEIVED_BY_LEADER: EventTerm("领导接访", Action.NOTE_LEADERSHIP),
    EventKind.APPOINTMENT_HELD: EventTerm("领导约访", Action.NOTE_LEADERSHIP),
    EventKind.VISITED_DOWN: EventTerm("带案下访", Action.NOTE_LEADERSHIP),
    EventKind.OWNED: EventTerm("领导包案", Action.NOTE_LEADERSHIP),
    EventKind.OWNER_CHANGED: EventTerm("包案领导变更", Action.NOTE_LEADERSHIP),
    EventKind.OWNERSHIP_RESOLVED: EventTerm("包案化解", Action.NOTE_LEADERSHIP),
    EventKind.CONSULTED: EventTerm("会商研判", Action.NOTE_LEADERSHIP),
    EventKind.JOINT_RECEIVED: EventTerm("联合接访", Action.NOTE_RECEPTION),
    EventKind.LAWYER_CONSULTED: EventTerm("律师接访", Action.NOTE_RECEPTION),
    EventKind.ESCALATED_FROM_POINT: EventTerm("基层服务点上报", Action.NOTE_RECEPTION),
}
EVENT_LABELS: dict[str, str] = {kind.value: term.label for kind, term in EVENTS.items()}
# Event kind -> the workflow action it records; registration starts the log and is not folded.
KIND_ACTIONS: dict[str, Action] = {
    kind.value: term.action for kind, term in EVENTS.items() if term.action is not Action.REGISTER
}

SAME = "same"  # the action keeps the status

# (status, action) -> next status. Anything missing is refused (xinfang.cases.transitions).
TRANSITIONS: dict[tuple[str, Action], str] = {
    (Status.REGISTERED, Action.FORWARD): Status.ROUTED,
    (Status.REGISTERED, Action.ASSIGN): Status.ROUTED,
    (Status.REGISTERED, Action.ANSWER): Status.REPLIED,
    (Status.REGISTERED, Action.DECLINE): Status.DECLINED,
    (Status.REGISTERED, Action.REFUSE_AGAIN): Status.REFUSED_AGAIN,
    # an organ that registered a matter in its own remit (第二十三条)
    (Status.REGISTERED, Action.ACCEPT): Status.ACCEPTED,
    (Status.ROUTED, Action.ACCEPT): Status.ACCEPTED,
    (Status.ROUTED, Action.DECLINE): Status.DECLINED,
    (Status.ROUTED, Action.OBJECT): Status.REGISTERED,  # back to the bureau to route again
    # A bureau that received the case from the bureau above hands it on down the ladder to the
    # unit with authority (第二十二条); bureau_only: a department holding it may not.
    (Status.ROUTED, Action.FORWARD): Status.ROUTED,
    (Status.ROUTED, Action.ASSIGN): Status.ROUTED,
    (Status.ACCEPTED, Action.HEARING_START): SAME,
    (Status.ACCEPTED, Action.HEARING_END): SAME,
    (Status.ACCEPTED, Action.REQUEST_EXTENSION): SAME,
    (Status.ACCEPTED, Action.APPROVE_EXTENSION): SAME,
    (Status.ACCEPTED, Action.RETURN_EXTENSION): SAME,
    (Status.ACCEPTED, Action.SUBMIT_REPLY_FOR_APPROVAL): SAME,
    (Status.ACCEPTED, Action.APPROVE_REPLY): SAME,  # its `replied` event moves the case on
    (Status.ACCEPTED, Action.RETURN_REPLY): SAME,
    (Status.ACCEPTED, Action.REPLY): Status.REPLIED,
    (Status.REPLIED, Action.DELIVER): Status.DELIVERED,
    (Status.DELIVERED, Action.RATE): SAME,
    (Status.DELIVERED, Action.REVIEW_REQUEST): Status.REVIEWING,
    (Status.DELIVERED, Action.TERMINATE): Status.TERMINATED,
    (Status.REVIEWING, Action.RATE): SAME,
    (Status.REVIEWING, Action.HEARING_START): SAME,
    (Status.REVIEWING, Action.HEARING_END): SAME,
    (Status.REVIEWING, Action.REVIEW_DECIDE): Status.REVIEWED,
    (Status.REVIEWING, Action.SUBMIT_OPINION_FOR_APPROVAL): SAME,
    (Status.REVIEWING, Action.APPROVE_OPINION): SAME,  # its review_decided moves the case on
    (Status.REVIEWING, Action.RETURN_OPINION): SAME,
    (Status.REVIEWED, Action.REREVIEW_REQUEST): Status.REREVIEWING,
    (Status.REVIEWED, Action.TERMINATE): Status.TERMINATED,
    (Status.REREVIEWING, Action.HEARING_START): SAME,
    (Status.REREVIEWING, Action.HEARING_END): SAME,
    (Status.REREVIEWING, Action.REREVIEW_DECIDE): Status.TERMINATED,  # 复核 is final (第三十六条)
    (Status.REREVIEWING, Action.SUBMIT_OPINION_FOR_APPROVAL): SAME,
    (Status.REREVIEWING, Action.APPROVE_OPINION): SAME,
    (Status.REREVIEWING, Action.RETURN_OPINION): SAME,
}
_OPEN = (
    Status.REGISTERED,
    Status.ROUTED,
    Status.ACCEPTED,
    Status.REPLIED,
    Status.DELIVERED,
    Status.REVIEWING,
    Status.REVIEWED,
    Status.REREVIEWING,
)
# Joint handling and linking are bookkeeping that open cases allow in any stage.
for _status in _OPEN:
    TRANSITIONS[(_status, Action.LINK)] = SAME
    TRANSITIONS[(_status, Action.ATTACH)] = SAME
for _status in (Status.ROUTED, Status.ACCEPTED):
    TRANSITIONS[(_status, Action.ADD_ASSISTING)] = SAME
for _status in (Status.DECLINED, Status.REFUSED_AGAIN, Status.TERMINATED):
    TRANSITIONS[(_status, Action.LINK)] = SAME
# A 督办 may be answered or closed after the case itself closed, so it is noted in every status.
for _status in Status:
    TRANSITIONS[(_status, Action.SUPERVISE)] = SAME
    # A leader receives, visits or resolves a matter whatever its stage, closed ones included
    # (包案 often concerns a matter whose handling ended and whose petitioner is not satisfied).
    TRANSITIONS[(_status, Action.NOTE_LEADERSHIP)] = SAME
    # So is a joint reception, a lawyer's consultation or a point's escalation noted on a case.
    TRANSITIONS[(_status, Action.NOTE_RECEPTION)] = SAME
# 领导阅批 concerns a matter still being handled: a case is sent and instructed on while open. The
# unit's report on an instruction may come after the case closed (the instruction was written
# while it was open and is followed up until answered), so it is allowed in every status.
for _status in _OPEN:
    TRANSITIONS[(_status, Action.SEND_FOR_INSTRUCTION)] = SAME
    TRANSITIONS[(_status, Action.INSTRUCT)] = SAME
for _status in Status:
    TRANSITIONS[(_status, Action.REPORT_ON_INSTRUCTION)] = SAME
