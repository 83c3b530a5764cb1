"""延期: the one extension of the handling period (第三十四条), requested and then approved.

The handler requests it (days, reason); an approver of the unit (审核人 or 信访部门负责人, not the
requester) approves it with a note, and only then is the `extended` event written, so the handle
clock is extended from the approval, by the same maths as before. Sent back, nothing changes and
the handler may ask again. A unit that needs no approval (`Org.requires_approval` off) extends at
once, recorded as self-approved. See `approvals` for what the approved steps share.
"""

from __future__ import annotations

from django.db import transaction

from xinfang.cases.clocks import profile_for
from xinfang.cases.models import Case
from xinfang.cases.services._core import UNIT_ROLES, append_event, begin, project
from xinfang.cases.services.approvals import (
    APPROVER_ROLES,
    approval,
    needs_approval,
    refuse_pending,
    require_approver,
    require_pending,
    send_back,
)
from xinfang.cases.vocabulary import Action, Clock, EventKind
from xinfang.core.errors import InvalidState, ServiceError
from xinfang.core.validation import optional_text
from xinfang.orgs.models import User

# What the package xinfang.cases.services re-exports.
__all__ = [
    "EXTENSION_APPROVER_ROLES",
    "case_approve_extension",
    "case_extend",
    "case_request_extension",
    "case_return_extension",
]

# Who may approve an extension in the unit (第三十四条: 经本机关负责人批准).
EXTENSION_APPROVER_ROLES = APPROVER_ROLES
_WHAT = "延期申请"


def _extend(locked: Case, *, actor: User, days: int, reason: str, extra: dict[str, object]) -> Case:
    append_event(
        locked,
        kind=EventKind.EXTENDED,
        actor=actor,
        org=locked.current_org,
        payload={
            "days": days,
            "clock": Clock.HANDLE,
            "approver": actor.pk,
            "approver_name": str(actor),
            "reason": reason,
            **extra,
        },
    )
    locked.extension_days = days
    project(locked, fields=["extension_days"])
    return locked


@transaction.atomic
def case_request_extension(*, actor: User, case: Case, days: int, reason: str) -> Case:
    """申请延期: once, within the profile's limit, reason told (第三十四条); waits for approval
    unless the unit needs none, when it takes effect at once (self-approved)."""
    locked, _ = begin(case, Action.REQUEST_EXTENSION, actor=actor, roles=UNIT_ROLES)
    rule = profile_for(locked).rules[Clock.HANDLE]
    limit = rule.extension_limit or 0
    if locked.events.filter(kind=EventKind.EXTENDED).count() >= rule.max_extensions:
        raise InvalidState("本件已延期过一次，不能再次延期（第三十四条）。", field=None)
    refuse_pending(locked, EventKind.EXTENSION_REQUESTED, _WHAT)
    if not isinstance(days, int) or not 1 <= days <= limit:
        raise ServiceError(f"延期天数应为 1 至 {limit} 日（{rule.legal_ref}）。", field="days")
    reason = optional_text(reason)
    if not reason:
        raise ServiceError("请填写延期理由，并告知信访人。", field="reason")
    if not needs_approval(locked):
        return _extend(locked, actor=actor, days=days, reason=reason, extra={"self_approved": True})
    append_event(
        locked,
        kind=EventKind.EXTENSION_REQUESTED,
        actor=actor,
        org=locked.current_org,
        payload={"days": days, "clock": Clock.HANDLE, "reason": reason},
    )
    project(locked)
    return locked


@transaction.atomic
def case_approve_extension(*, actor: User, case: Case, note: str = "") -> Case:
    """批准延期: an approver of the unit, not the requester; the extension starts now."""
    locked, _ = begin(case, Action.APPROVE_EXTENSION)
    request = require_pending(locked, EventKind.EXTENSION_REQUESTED, _WHAT)
    require_approver(actor, locked, request, "批准延期")
    days = int(request.payload["days"])
    extra = approval(request, note)
    return _extend(locked, actor=actor, days=days, reason=str(request.payload.get("reason", "")), extra=extra)


@transaction.atomic
def case_return_extension(*, actor: User, case: Case, reason: str) -> Case:
    """退回延期申请: with a reason; the period is unchanged and the handler may ask again."""
    locked, _ = begin(case, Action.RETURN_EXTENSION)
    request = require_pending(locked, EventKind.EXTENSION_REQUESTED, _WHAT)
    require_approver(actor, locked, request, "退回延期申请")
    return send_back(
        locked,
        actor=actor,
        request=request,
        kind=EventKind.EXTENSION_RETURNED,
        org=locked.current_org,
        reason=reason,
        extra={"days": request.payload.get("days")},
    )


@transaction.atomic
def case_extend(*, actor: User, case: Case, days: int, approver: User, reason: str, note: str = "") -> Case:
    """Both steps in one go, each by its own person and checked as on the pages: `actor` requests,
    `approver` approves (the demo and records entered after the fact). Not an action of its own;
    a refused approval leaves no request behind (one transaction)."""
    case = case_request_extension(actor=actor, case=case, days=days, reason=reason)
    if case.current_org is not None and not case.current_org.requires_approval:
        return case
    return case_approve_extension(actor=approver, case=case, note=note)
