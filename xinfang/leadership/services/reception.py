"""领导接访日: scheduling a leader's reception day and recording what was received there
(《信访工作条例》第十八条第二款: leaders "定期接待群众来访").

Who may do what:

- schedule, change or cancel a day: the organising staff of the petition bureau or the Party
  committee / government where the reception takes place, or of one above it
  (``require_organiser_over``); the leader holds the
  领导 role in an organ whose region contains the place's (a city leader may receive in a county,
  a county leader not in another county);
- record a visit: the same staff, and the day's leader. A matter brought for the first time is
  registered as a case of the receiving organ (``case_register``, 走访) in the same transaction; one
  brought again is attached to its case, which the leader must be able to see;
- close the day with a summary: the organising staff or the leader.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from xinfang.cases.models import Case, Channel
from xinfang.cases.services import case_register_detailed
from xinfang.cases.services.registration import Registration
from xinfang.cases.vocabulary import EventKind
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import local_date, now
from xinfang.core.validation import optional_text, required_text
from xinfang.leadership.models import ReceptionDay, ReceptionDayStatus, ReceptionVisit, VisitOutcome
from xinfang.leadership.services._common import (
    may_organise,
    note_on_case,
    require_leader,
    require_organiser_over,
    require_sees,
    within_reach,
)
from xinfang.orgs.models import Org, User

__all__ = [
    "reception_day_cancel",
    "reception_day_close",
    "reception_day_schedule",
    "reception_day_update",
    "reception_receive_case",
    "reception_register_visit",
]

MAX_HOURS = 12  # a reception day is a working day's session, not a week
MAX_HEADCOUNT = 9999


def _lock(day: ReceptionDay) -> ReceptionDay:
    try:
        return (
            ReceptionDay.objects.select_for_update()
            .select_related("org", "leader_org", "leader")
            .get(pk=day.pk)
        )
    except ReceptionDay.DoesNotExist:
        raise ServiceError("接访日不存在。", field="day", code="not_found") from None


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if not isinstance(starts_at, dt.datetime):
        raise ServiceError("请填写开始时间。", field="starts_at")
    if not isinstance(ends_at, dt.datetime):
        raise ServiceError("请填写结束时间。", field="ends_at")
    if ends_at <= starts_at:
        raise ServiceError("结束时间应晚于开始时间。", field="ends_at")
    if ends_at - starts_at > dt.timedelta(hours=MAX_HOURS):
        raise ServiceError(f"一次接访不超过 {MAX_HOURS} 小时，请核对结束时间。", field="ends_at")
    if ends_at <= now():
        raise ServiceError("接访时间已过，不能再排班。", field="starts_at")


def _check_overlap(
    leader: User, starts_at: dt.datetime, ends_at: dt.datetime, *, other_than: int | None
) -> None:
    clash = ReceptionDay.objects.filter(
        leader=leader, starts_at__lt=ends_at, ends_at__gt=starts_at, status=ReceptionDayStatus.SCHEDULED
    )
    if other_than is not None:
        clash = clash.exclude(pk=other_than)
    first = clash.first()
    if first is not None:
        when = f"{local_date(first.starts_at):%Y-%m-%d}"
        raise ServiceError(f"{leader}在该时段已安排接访（{first.place}，{when}）。", field="starts_at")


def _check_leader(leader: User, leader_org: Org, org: Org) -> None:
    require_leader(leader, leader_org)
    if not within_reach(org, leader_org):
        raise ServiceError(
            f"{leader_org.name}的领导不能在{org.name}接访：接访地点应在其辖区内。", field="leader"
        )


@transaction.atomic
def reception_day_schedule(
    *,
    actor: User,
    org: Org,
    leader: User,
    leader_org: Org,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    topics: str = "",
    leader_title: str = "",
    published: bool = True,
) -> ReceptionDay:
    """Put a leader's reception day on ``org``'s schedule (published to the portal unless not)."""
    require_organiser_over(actor, org, doing="安排领导接访")
    _check_leader(leader, leader_org, org)
    _check_times(starts_at, ends_at)
    place = required_text(place, field="place", label="接访地点", empty="请填写{label}。", max_length=128)
    _check_overlap(leader, starts_at, ends_at, other_than=None)
    return ReceptionDay.objects.create(
        org=org,
        leader=leader,
        leader_org=leader_org,
        leader_title=optional_text(leader_title)[:64],
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        topics=optional_text(topics)[:256],
        published=bool(published),
        scheduled_by=actor,
    )


@transaction.atomic
def reception_day_update(
    *,
    actor: User,
    day: ReceptionDay,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    topics: str = "",
    published: bool = True,
) -> ReceptionDay:
    """Move a scheduled day or change its place and topics."""
    locked = _lock(day)
    require_organiser_over(actor, locked.org, doing="调整领导接访安排")
    if locked.status != ReceptionDayStatus.SCHEDULED:
        raise InvalidState(f"该接访日为“{locked.get_status_display()}”，不能再调整。")
    _check_times(starts_at, ends_at)
    locked.place = required_text(
        place, field="place", label="接访地点", empty="请填写{label}。", max_length=128
    )
    _check_overlap(locked.leader, starts_at, ends_at, other_than=locked.pk)
    locked.starts_at, locked.ends_at = starts_at, ends_at
    locked.topics = optional_text(topics)[:256]
    locked.published = bool(published)
    locked.save(update_fields=["starts_at", "ends_at", "place", "topics", "published"])
    return locked


@transaction.atomic
def reception_day_cancel(*, actor: User, day: ReceptionDay, reason: str) -> ReceptionDay:
    locked = _lock(day)
    require_organiser_over(actor, locked.org, doing="取消领导接访")
    if locked.status != ReceptionDayStatus.SCHEDULED:
        raise InvalidState(f"该接访日为“{locked.get_status_display()}”，不能取消。")
    if locked.visits.exists():
        raise InvalidState("该接访日已登记来访，不能取消；请填写接访小结结束接访。")
    locked.cancel_reason = required_text(
        reason, field="reason", label="取消原因", empty="请填写{label}。", max_length=200
    )
    locked.status = ReceptionDayStatus.CANCELLED
    locked.save(update_fields=["cancel_reason", "status"])
    return locked


def _may_record(actor: User, day: ReceptionDay) -> None:
    if actor.pk == day.leader_id or may_organise(actor, day.org):
        return
    raise NotAllowed(f"只有接访领导或{day.org.name}的工作人员可以登记接访情况。", field="day")


def _open_for_visits(day: ReceptionDay) -> None:
    if day.status == ReceptionDayStatus.CANCELLED:
        raise InvalidState("该接访日已取消。")
    if day.status == ReceptionDayStatus.HELD:
        raise InvalidState("该接访日已结束，不能再登记来访。")
    if local_date() < local_date(day.starts_at):
        raise InvalidState(f"接访日为 {local_date(day.starts_at):%Y-%m-%d}，尚未开始，不能登记来访。")


def _outcome(outcome: str) -> str:
    if outcome not in VisitOutcome.values:
        raise ServiceError(f"接访结果应为：{'、'.join(VisitOutcome.labels)}。", field="outcome")
    return outcome


def _headcount(headcount: int) -> int:
    if not isinstance(headcount, int) or isinstance(headcount, bool) or not 1 <= headcount <= MAX_HEADCOUNT:
        raise ServiceError(f"来访人数应为 1 至 {MAX_HEADCOUNT} 的整数。", field="headcount")
    return headcount


def _record(
    *, actor: User, day: ReceptionDay, case: Case, outcome: str, note: str, headcount: int, new: bool
) -> ReceptionVisit:
    try:
        with transaction.atomic():
            visit = ReceptionVisit.objects.create(
                day=day,
                case=case,
                registered_here=new,
                headcount=headcount,
                outcome=outcome,
                note=note,
                recorded_by=actor,
                recorded_at=now(),
            )
    except IntegrityError:
        raise ServiceError(
            f"信访件 {case.number} 已在本次接访中登记。", field="case", code="conflict"
        ) from None
    note_on_case(
        actor=actor,
        org=day.org,
        case=case,
        kind=EventKind.RECEIVED_BY_LEADER,
        payload={
            "reception_day": day.pk,
            "leader": str(day.leader),
            "leader_title": day.leader_title,
            "outcome": outcome,
            "outcome_name": VisitOutcome(outcome).label,
            "note": note,
        },
    )
    return visit


@transaction.atomic
def reception_register_visit(
    *,
    actor: User,
    day: ReceptionDay,
    outcome: str,
    note: str = "",
    registration: dict[str, Any],
) -> tuple[ReceptionVisit, Registration]:
    """A matter brought to the leader for the first time: registered as a 走访 case of the
    receiving organ (the arguments of ``case_register_detailed`` in ``registration``, without
    ``org`` and ``channel``) and recorded as received at ``day``, in one transaction."""
    locked = _lock(day)
    _may_record(actor, locked)
    _open_for_visits(locked)
    outcome = _outcome(outcome)
    note = optional_text(note)
    fields = {k: v for k, v in registration.items() if k not in ("org", "channel", "actor")}
    registered = case_register_detailed(actor=actor, org=locked.org, channel=Channel.VISIT, **fields)
    visit = _record(
        actor=actor,
        day=locked,
        case=registered.case,
        outcome=outcome,
        note=note,
        headcount=registered.case.headcount,
        new=True,
    )
    return visit, registered


@transaction.atomic
def reception_receive_case(
    *, actor: User, day: ReceptionDay, case: Case, outcome: str, note: str = "", headcount: int = 1
) -> ReceptionVisit:
    """A matter already registered, brought to the leader: recorded against its case."""
    locked = _lock(day)
    _may_record(actor, locked)
    _open_for_visits(locked)
    outcome = _outcome(outcome)
    headcount = _headcount(headcount)
    require_sees(actor, case)
    require_sees(locked.leader, case, who=str(locked.leader))
    return _record(
        actor=actor,
        day=locked,
        case=case,
        outcome=outcome,
        note=optional_text(note),
        headcount=headcount,
        new=False,
    )


@transaction.atomic
def reception_day_close(*, actor: User, day: ReceptionDay, summary: str) -> ReceptionDay:
    """The day took place: its summary (接访情况小结); no visit can be added after."""
    locked = _lock(day)
    _may_record(actor, locked)
    if locked.status != ReceptionDayStatus.SCHEDULED:
        raise InvalidState(f"该接访日为“{locked.get_status_display()}”，不能再结束。")
    if local_date() < local_date(locked.starts_at):
        raise InvalidState("接访日尚未到来，不能结束；如不再举行请取消。")
    locked.summary = required_text(summary, field="summary", label="接访情况小结", empty="请填写{label}。")
    locked.status = ReceptionDayStatus.HELD
    locked.save(update_fields=["summary", "status"])
    return locked
