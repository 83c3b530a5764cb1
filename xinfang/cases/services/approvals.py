"""What the approved steps share: who approves, the pending request, and its decision.

A handler's request (延期申请, a draft 处理意见书) waits in the queue of the unit's approvers (审核人 or
信访部门负责人 of the organ handling the case); one of them approves it (with a note) or sends it back
(with a reason). Nothing is stored on the case: a request is pending while it is the latest of its
kind's three events in the log (`vocabulary.APPROVAL_KINDS`), so the replay needs no new field and
the clocks keep running while it waits. A unit with `Org.requires_approval` off (a one-person
township office) decides alone: the request takes effect at once, recorded as self-approved.
"""

from __future__ import annotations

from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.selectors import APPROVER_ROLES
from xinfang.cases.services._core import DECIDING_ROLES, append_event, check_transition, project
from xinfang.cases.vocabulary import APPROVAL_KINDS, Action
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.validation import optional_text
from xinfang.orgs.models import Org, Role, User
from xinfang.orgs.permissions import holds_role

# What the package xinfang.cases.services re-exports.
__all__ = ["APPROVER_ROLES", "pending_request", "refuse_direct_issue"]

# What an opinion entered after the fact says of itself (`recorded=True`), shown on the timeline.
RECORDED_NOTE = "补录：在其他系统或线下审批后作出"

# The direct issue of an opinion and the step that submits it for approval instead.
_DIRECT = {
    Action.REPLY: "提交处理意见书审核",
    Action.REVIEW_DECIDE: "提交复查（复核）意见审核",
    Action.REREVIEW_DECIDE: "提交复查（复核）意见审核",
}


def pending_request(case: Case, request_kind: str) -> CaseEvent | None:
    """The request of `request_kind` that waits for a decision, if the latest of its three is one."""
    granted, returned = APPROVAL_KINDS[request_kind]
    last = case.events.filter(kind__in=[request_kind, granted, returned]).order_by("-seq").first()
    return last if last is not None and last.kind == request_kind else None


def needs_approval(case: Case) -> bool:
    return bool(case.current_org is not None and case.current_org.requires_approval)


def _issued_by_leader(case: Case, actor: User) -> bool:
    """A 领导 of the deciding organ is its 负责人 (第三十四条 "本机关负责人批准"): what they issue
    themselves needs nobody's further sign-off, so a people's government's 复查 / 复核 opinion
    signed by its leader is issued at once."""
    return case.current_org is not None and holds_role(actor, case.current_org, (Role.LEADER,))


def _unapproved_message(case: Case, action: Action) -> str:
    assert case.current_org is not None
    return f"{case.current_org.name}的意见须经审核人或信访部门负责人批准后作出，请使用“{_DIRECT[action]}”。"


def refuse_direct_issue(case: Case, action: Action, actor: User) -> None:
    """The pages and the API ask this before validating an opinion's form, so the user learns
    first that the draft goes to the approver. A step refused anyway (wrong state, a hearing
    open, no role in the unit) gets the service's own refusal, which names that reason."""
    if action not in _DIRECT or not needs_approval(case):
        return
    check_transition(case, action)
    assert case.current_org is not None
    if case.paused or not holds_role(actor, case.current_org, DECIDING_ROLES):
        return
    if not _issued_by_leader(case, actor):
        raise InvalidState(_unapproved_message(case, action), field=None)


def refuse_unapproved(case: Case, action: Action, actor: User, *, recorded: bool) -> dict[str, object]:
    """The direct issue of an opinion (case_reply, case_review_decide, case_rereview_decide) on
    the locked case, after its other checks: refused where the unit needs approval, unless its
    leader issues it, or `recorded` says the decision was taken and approved outside Xinfang and
    is entered after the fact (the import of earlier records). The payload part that says which."""
    if not needs_approval(case):
        return {}
    if _issued_by_leader(case, actor):
        return {"by_leader": True}
    if recorded:
        return {"recorded": True}
    raise InvalidState(_unapproved_message(case, action), field=None)


def refuse_pending(case: Case, request_kind: str, what: str) -> None:
    if pending_request(case, request_kind) is not None:
        raise InvalidState(f"本件已有待审核的{what}，请等待审核人审核。", field=None)


def require_pending(case: Case, request_kind: str, what: str) -> CaseEvent:
    request = pending_request(case, request_kind)
    if request is None:
        raise InvalidState(f"本件没有待审核的{what}。", field=None)
    return request


def require_approver(actor: User, case: Case, request: CaseEvent, doing: str) -> None:
    """The approver holds 审核人 or 信访部门负责人 at the unit and is not the one who asked."""
    org = case.current_org
    if org is None or not holds_role(actor, org, APPROVER_ROLES):
        name = org.name if org is not None else "承办单位"
        raise NotAllowed(f"只有{name}的审核人或信访部门负责人可以{doing}。")
    if request.actor_id == actor.pk:
        raise NotAllowed(f"不能审核本人提交的申请，请由本单位其他审核人{doing}。")


def decision_note(note: str, *, required: bool, field: str, label: str) -> str:
    text = optional_text(note)
    if required and not text:
        raise ServiceError(f"请填写{label}。", field=field)
    return text


def requester(request: CaseEvent) -> dict[str, object]:
    """Who asked, for the decision's payload (the requester sees the outcome on the case)."""
    return {
        "request_seq": request.seq,
        "requested_by": request.actor_id,
        "requested_by_name": str(request.actor or ""),
    }


def approval(request: CaseEvent, note: str) -> dict[str, object]:
    """An approval's payload: who asked, and the approver's optional note (审核意见)."""
    note = decision_note(note, required=False, field="note", label="审核意见")
    return {**requester(request), **({"note": note} if note else {})}


def send_back(
    case: Case,
    *,
    actor: User,
    request: CaseEvent,
    kind: str,
    org: Org | None,
    reason: str,
    extra: dict[str, object] | None = None,
) -> Case:
    """Send `request` back (event `kind`) with a reason (退回理由): nothing else changes, and the
    requester may submit again. `case` is locked and the approver checked by the caller."""
    reason = decision_note(reason, required=True, field="reason", label="退回理由")
    payload = {**requester(request), **(extra or {}), "reason": reason}
    append_event(case, kind=kind, actor=actor, org=org, payload=payload)
    project(case)
    return case
