"""听证: a hearing stops clocks until its conclusion is recorded (第三十一条、第三十六条).

Which clocks stop is the policy profile's ``hearing_clocks`` (national: the 复核 clock only, 第三十六条
"听证所需时间不计算在前款规定的期限内"), written into the ``hearing_started`` event, so a later change
of the profile does not move the due dates of hearings already held. Events written before the
payload named them (no ``clocks``) stop every open duty clock, as they did then.
"""

from __future__ import annotations

from django.db import transaction

from xinfang.cases.clocks import profile_for
from xinfang.cases.models import Case
from xinfang.cases.services._core import UNIT_ROLES, append_event, begin, project
from xinfang.cases.vocabulary import Action, EventKind
from xinfang.core.errors import InvalidState, ServiceError
from xinfang.core.validation import optional_text
from xinfang.orgs.models import Role, User

# What the package xinfang.cases.services re-exports.
__all__ = ["case_hearing_end", "case_hearing_start"]

HEARING_ROLES = (*UNIT_ROLES, Role.LEADER)


@transaction.atomic
def case_hearing_start(*, actor: User, case: Case, note: str = "") -> Case:
    """听证: its time does not count against the clocks the case's profile names (第三十六条)."""
    locked, _ = begin(case, Action.HEARING_START, actor=actor, roles=HEARING_ROLES)
    if locked.paused:
        raise InvalidState("本件已在听证中。")
    append_event(
        locked,
        kind=EventKind.HEARING_STARTED,
        actor=actor,
        org=locked.current_org,
        payload={"note": optional_text(note), "clocks": list(profile_for(locked).hearing_clocks)},
    )
    locked.paused = True
    project(locked, fields=["paused"])
    return locked


@transaction.atomic
def case_hearing_end(*, actor: User, case: Case, conclusion: str) -> Case:
    locked, _ = begin(case, Action.HEARING_END, actor=actor, roles=HEARING_ROLES)
    if not locked.paused:
        raise InvalidState("本件没有进行中的听证。")
    conclusion = optional_text(conclusion)
    if not conclusion:
        raise ServiceError("请填写听证结论。", field="conclusion")
    append_event(
        locked,
        kind=EventKind.HEARING_ENDED,
        actor=actor,
        org=locked.current_org,
        payload={"conclusion": conclusion},
    )
    locked.paused = False
    project(locked, fields=["paused"])
    return locked
