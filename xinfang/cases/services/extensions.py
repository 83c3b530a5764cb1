"""延期: the one extension of the handling period (第三十四条)."""

from __future__ import annotations

from django.db import transaction

from xinfang.cases.clocks import profile_for
from xinfang.cases.models import Case
from xinfang.cases.services._core import UNIT_ROLES, append_event, begin, project
from xinfang.cases.vocabulary import Action, Clock, EventKind
from xinfang.core.errors import InvalidState, ServiceError
from xinfang.core.validation import optional_text
from xinfang.orgs.models import Role, User
from xinfang.orgs.selectors import user_memberships

# What the package xinfang.cases.services re-exports.
__all__ = ["EXTENSION_APPROVER_ROLES", "case_extend"]

# Who may approve an extension in the unit (第三十四条: 经本机关负责人批准); the workbench's
# 批准人 choices are the same roles.
EXTENSION_APPROVER_ROLES = (Role.APPROVER, Role.BUREAU_HEAD, Role.LEADER)


@transaction.atomic
def case_extend(*, actor: User, case: Case, days: int, approver: User, reason: str) -> Case:
    """延期: once, within the profile's limit, approved by the organ's head, reason told (第三十四条)."""
    locked, _ = begin(case, Action.EXTEND, actor=actor, roles=UNIT_ROLES)
    if (
        not user_memberships(approver)
        .filter(org=locked.current_org, role__in=EXTENSION_APPROVER_ROLES)
        .exists()
    ):
        raise ServiceError(f"批准人应为{locked.current_org.name}的审核人或负责人。", field="approver")
    rule = profile_for(locked).rules[Clock.HANDLE]
    limit = rule.extension_limit or 0
    if locked.events.filter(kind=EventKind.EXTENDED).count() >= rule.max_extensions:
        raise InvalidState("本件已延期过一次，不能再次延期（第三十四条）。", field=None)
    if not 1 <= days <= limit:
        raise ServiceError(f"延期天数应为 1 至 {limit} 日（{rule.legal_ref}）。", field="days")
    reason = optional_text(reason)
    if not reason:
        raise ServiceError("请填写延期理由，并告知信访人。", field="reason")
    append_event(
        locked,
        kind=EventKind.EXTENDED,
        actor=actor,
        org=locked.current_org,
        payload={
            "days": days,
            "clock": Clock.HANDLE,
            "approver": approver.pk,
            "approver_name": str(approver),
            "reason": reason,
        },
    )
    locked.extension_days = days
    project(locked, fields=["extension_days"])
    return locked
