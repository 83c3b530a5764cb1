"""The statutory workflow as one table: which action is allowed in which status, and where it leads.

Pure: no Django. `xinfang.cases.services` checks every action here before touching a case, so a
button pressed in the wrong state is refused with a message that names the state and the action.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    REGISTER = "register"  # 登记 (第二十二条); creates the case, so it has no row below
    FORWARD = "forward"  # 转送 (第二十二条)
    ASSIGN = "assign"  # 交办, with a completion report due (第二十二条)
    ANSWER = "answer"  # the registering organ answers directly
    DECLINE = "decline"  # 不予受理, pointing to the legal channel (第三十一条)
    REFUSE_AGAIN = "refuse_again"  # 不再受理: same facts and reasons after 复核 (第三十六条)
    ACCEPT = "accept"  # 受理 and notify (第二十三条)
    OBJECT = "object"  # wrongly routed: return within 5 working days (第二十三条)
    HEARING_START = "hearing_start"  # 听证 pauses the clock
    HEARING_END = "hearing_end"
    EXTEND = "extend"  # once, ≤ 30 days, approved, petitioner told why (第三十四条)
    REPLY = "reply"  # 信访处理意见书 (第三十二条)
    DELIVER = "deliver"  # served on the petitioner
    RATE = "rate"  # 满意度评价 (第二十一条)
    REVIEW_REQUEST = "review_request"  # 复查, within 30 days of delivery (第三十五条)
    REVIEW_DECIDE = "review_decide"
    REREVIEW_REQUEST = "rereview_request"  # 复核, within 30 days of the 复查 opinion (第三十六条)
    REREVIEW_DECIDE = "rereview_decide"
    TERMINATE = "terminate"  # 终结
    ADD_ASSISTING = "add_assisting"  # joint handling: an assisting unit
    LINK = "link"  # mark as 重复信访 of an earlier case or a duplicate of a master
    ATTACH = "attach"  # add material (letters, photos, minutes) to the file
    SUPERVISE = "supervise"  # note a 督办 step in the case's history (第四十条)


ACTION_LABELS: dict[Action, str] = {
    Action.REGISTER: "登记信访事项",
    Action.FORWARD: "转送",
    Action.ASSIGN: "交办",
    Action.ANSWER: "直接答复",
    Action.DECLINE: "不予受理",
    Action.REFUSE_AGAIN: "不再受理",
    Action.ACCEPT: "受理",
    Action.OBJECT: "异议退回",
    Action.HEARING_START: "启动听证",
    Action.HEARING_END: "结束听证",
    Action.EXTEND: "延期",
    Action.REPLY: "出具处理意见书",
    Action.DELIVER: "送达",
    Action.RATE: "满意度评价",
    Action.REVIEW_REQUEST: "申请复查",
    Action.REVIEW_DECIDE: "作出复查意见",
    Action.REREVIEW_REQUEST: "申请复核",
    Action.REREVIEW_DECIDE: "作出复核意见",
    Action.TERMINATE: "终结",
    Action.ADD_ASSISTING: "增加协办单位",
    Action.LINK: "关联重复件",
    Action.ATTACH: "上传附件",
    Action.SUPERVISE: "记录督办",
}

# Statuses by value (mirrors xinfang.cases.models.Status, kept free of Django here).
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

STATUS_LABELS = {
    REGISTERED: "待交转",
    ROUTED: "待受理",
    ACCEPTED: "办理中",
    REPLIED: "已答复待送达",
    DELIVERED: "已送达",
    REVIEWING: "复查中",
    REVIEWED: "已复查",
    REREVIEWING: "复核中",
    DECLINED: "不予受理",
    REFUSED_AGAIN: "不再受理",
    TERMINATED: "已终结",
}

SAME = "same"  # the action keeps the status

# (status, action) -> next status. Anything missing is refused.
TRANSITIONS: dict[tuple[str, Action], str] = {
    (REGISTERED, Action.FORWARD): ROUTED,
    (REGISTERED, Action.ASSIGN): ROUTED,
    (REGISTERED, Action.ANSWER): REPLIED,
    (REGISTERED, Action.DECLINE): DECLINED,
    (REGISTERED, Action.REFUSE_AGAIN): REFUSED_AGAIN,
    (REGISTERED, Action.ACCEPT): ACCEPTED,  # an organ that registered a matter in its own remit (第二十三条)
    (ROUTED, Action.ACCEPT): ACCEPTED,
    (ROUTED, Action.DECLINE): DECLINED,
    (ROUTED, Action.OBJECT): REGISTERED,  # back to the bureau to route again
    (ACCEPTED, Action.HEARING_START): SAME,
    (ACCEPTED, Action.HEARING_END): SAME,
    (ACCEPTED, Action.EXTEND): SAME,
    (ACCEPTED, Action.REPLY): REPLIED,
    (REPLIED, Action.DELIVER): DELIVERED,
    (DELIVERED, Action.RATE): SAME,
    (DELIVERED, Action.REVIEW_REQUEST): REVIEWING,
    (DELIVERED, Action.TERMINATE): TERMINATED,
    (REVIEWING, Action.RATE): SAME,
    (REVIEWING, Action.HEARING_START): SAME,
    (REVIEWING, Action.HEARING_END): SAME,
    (REVIEWING, Action.REVIEW_DECIDE): REVIEWED,
    (REVIEWED, Action.REREVIEW_REQUEST): REREVIEWING,
    (REVIEWED, Action.TERMINATE): TERMINATED,
    (REREVIEWING, Action.HEARING_START): SAME,
    (REREVIEWING, Action.HEARING_END): SAME,
    (REREVIEWING, Action.REREVIEW_DECIDE): TERMINATED,  # 复核 is final (第三十六条)
}
# Joint handling and linking are bookkeeping that open cases allow in any stage.
for _status in (REGISTERED, ROUTED, ACCEPTED, REPLIED, DELIVERED, REVIEWING, REVIEWED, REREVIEWING):
    TRANSITIONS[(_status, Action.LINK)] = SAME
    TRANSITIONS[(_status, Action.ATTACH)] = SAME
for _status in (ROUTED, ACCEPTED):
    TRANSITIONS[(_status, Action.ADD_ASSISTING)] = SAME
TRANSITIONS[(REGISTERED, Action.LINK)] = SAME
for _status in (DECLINED, REFUSED_AGAIN, TERMINATED):
    TRANSITIONS[(_status, Action.LINK)] = SAME
# A 督办 may be answered or closed after the case itself closed, so it is noted in every status.
for _status in STATUS_LABELS:
    TRANSITIONS[(_status, Action.SUPERVISE)] = SAME


class TransitionRefused(Exception):
    def __init__(self, status: str, action: Action) -> None:
        allowed = "、".join(ACTION_LABELS[a] for a in allowed_actions(status) if a not in BOOKKEEPING) or "无"
        super().__init__(
            f"当前状态为“{STATUS_LABELS.get(status, status)}”，不能{ACTION_LABELS[action]}。此状态下可进行：{allowed}。"
        )
        self.status = status
        self.action = action


def next_status(status: str, action: Action) -> str:
    """The status after `action`, or TransitionRefused naming the state and the action."""
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise TransitionRefused(status, action)
    return status if target == SAME else target


# Bookkeeping steps that do not move the case along; pages list them apart from the workflow.
BOOKKEEPING = frozenset({Action.LINK, Action.ATTACH, Action.SUPERVISE})


def allowed_actions(status: str) -> list[Action]:
    return [action for (state, action) in TRANSITIONS if state == status]
