"""约访 (appointments) and 下访 / 夜访 (visits down, night visits): one function per step.

《信访工作条例》第十八条第二款: leaders of Party committees and governments receive visitors, go down
to the grass roots with the cases in hand (带案下访) and invite petitioners to meet them (约访).

- ``appointment_schedule``: a petition bureau or a Party committee / government (its organising
  staff), or a leader in person, invites the petitioner of a case to a meeting; the named leader
  must see the case and lead an organ whose region covers the inviting one;
- ``appointment_record``: the organiser or the leader records that it was held (with the outcome,
  noted on the case), that the petitioner did not come, or that it was cancelled; once;
- ``field_visit_record``: a visit down that took place, with the leader, the days, the place and
  the cases taken along (each noted on the case);
- ``field_visit_case_outcome``: per case taken down, whether it was settled on the spot (就地化解);
- ``field_visit_push``: 夜访: the bureau pushes cases to a township office for an evening visit to
  the petitioners' homes;
- ``field_visit_feedback``: the township's feedback per case, once, noted on the case.

Every function is keyword-only and atomic, validates everything before writing and refuses with
``ServiceError`` (input, state) or ``NotAllowed`` (organisation, role, access), naming the field.
A case is changed only through ``note_on_case`` (the case services).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_visible
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import local_date, now
from xinfang.core.validation import optional_text, required_text
from xinfang.leadership.models import (
    Appointment,
    AppointmentStatus,
    FieldVisit,
    FieldVisitCase,
    FieldVisitKind,
)
from xinfang.leadership.services._common import (
    ORGANISER_ROLES,
    UNIT_ROLES,
    distinct_cases,
    note_on_case,
    require_date,
    require_organiser,
    require_sees,
    within_reach,
)
from xinfang.orgs.models import Org, OrgKind, Role, User
from xinfang.orgs.permissions import holds_role, require_role
from xinfang.orgs.selectors import user_memberships

__all__ = [
    "MAX_APPOINTMENT_DAYS_AHEAD",
    "MAX_PUSH_DAYS_AHEAD",
    "MAX_VISIT_DAYS",
    "RECORDABLE_STATUSES",
    "appointment_record",
    "appointment_schedule",
    "field_visit_case_outcome",
    "field_visit_feedback",
    "field_visit_push",
    "field_visit_record",
    "leader_org_within_reach",
    "may_organise",
]

# An appointment further ahead than this is a typing slip (2026 for 2025), not a plan.
MAX_APPOINTMENT_DAYS_AHEAD = 365
# A 夜访 is pushed for the coming evenings, not for next season.
MAX_PUSH_DAYS_AHEAD = 60
# One visit down is recorded per trip; a longer stay is recorded as several visits.
MAX_VISIT_DAYS = 31
RECORDABLE_STATUSES = (AppointmentStatus.HELD, AppointmentStatus.ABSENT, AppointmentStatus.CANCELLED)
MAX_PLACE = 128
MAX_PURPOSE = 256
# What of an outcome the case's timeline carries (the full text stays on the appointment).
NOTE_SUMMARY = 200


# ---------------------------------------------------------------- shared checks


def may_organise(actor: User, org: Org) -> bool:
    """Whether ``actor`` organises the leaders' work of ``org`` (a bureau or a Party committee /
    government where they hold an organising role)."""
    return org.kind in (OrgKind.PETITION_BUREAU, OrgKind.PARTY_GOVERNMENT) and holds_role(
        actor, org, ORGANISER_ROLES
    )


def _is_leader_of(actor: User, org: Org) -> bool:
    return holds_role(actor, org, (Role.LEADER,))


def _require_organiser_or_leader(actor: User, org: Org, *, doing: str) -> None:
    """The organising staff of ``org``, or a leader of ``org`` acting in person."""
    if _is_leader_of(actor, org):
        return
    require_organiser(actor, org, doing=doing)


def leader_org_within_reach(leader: User, org: Org) -> Org | None:
    """The organ where ``leader`` holds the 领导 role whose region covers ``org`` (the nearest one
    when several do), or None: a county leader does not meet a city bureau's petitioners."""
    found = [
        membership.org
        for membership in user_memberships(leader).filter(role=Role.LEADER)
        if within_reach(org, membership.org)
    ]
    return max(found, key=lambda each: len(each.region.path), default=None)


def _require_leader_within_reach(leader: User, org: Org, *, field: str = "leader") -> Org:
    if leader.is_citizen or not leader.is_active:
        raise ServiceError(f"{leader}不是在职的工作人员，不能作为领导。", field=field)
    leader_org = leader_org_within_reach(leader, org)
    if leader_org is None:
        raise ServiceError(
            f"{leader}不是{org.region.name}或其上级党政机关的领导，请选择有权过问此事的领导。", field=field
        )
    return leader_org


def _case_within(case: Case, org: Org) -> bool:
    """Whether the matter of ``case`` arose (问题属地) in the region of ``org`` or below it: a
    leader takes down the matters of the area visited."""
    return case.problem_region.path.startswith(org.region.path)


def _cases(cases: Iterable[Case]) -> list[Case]:
    """The distinct cases, re-read with what the checks need (region, current organ)."""
    chosen = distinct_cases(cases)
    by_id = Case.objects.select_related("problem_region").in_bulk([case.pk for case in chosen])
    missing = [case for case in chosen if case.pk not in by_id]
    if missing:
        raise ServiceError(f"信访件 {missing[0].number} 不存在。", field="cases", code="not_found")
    return [by_id[case.pk] for case in chosen]


def _place(value: str) -> str:
    return required_text(value, field="place", label="地点", max_length=MAX_PLACE, empty="请填写{label}。")


def _summary(text: str) -> str:
    return text if len(text) <= NOTE_SUMMARY else text[: NOTE_SUMMARY - 1] + "…"


def _name(user: User | None) -> str:
    return str(user) if user is not None else ""


def _resolved(value: object) -> bool:
    if not isinstance(value, bool):
        raise ServiceError("请选择是否就地化解。", field="resolved")
    return value


# ---------------------------------------------------------------- 约访


@transaction.atomic
def appointment_schedule(
    *,
    actor: User,
    org: Org,
    case: Case,
    at: dt.datetime,
    place: str,
    purpose: str = "",
    leader: User | None = None,
) -> Appointment:
    """Invite the petitioner of ``case`` to meet (a leader of) ``org`` at ``at`` in ``place``.

    By the organising staff of a petition bureau or a Party committee / government, or by a leader
    of ``org`` in person (who is then the leader met, unless the organising staff name another).
    """
    organiser = may_organise(actor, org)
    if not organiser:
        if not _is_leader_of(actor, org):
            require_organiser(actor, org, doing="安排约访")  # raises, naming the organ and the roles
        if leader is not None and leader.pk != actor.pk:
            raise NotAllowed(
                "领导本人只能安排自己的约访；为其他领导安排约访请由信访部门办理。", field="leader"
            )
        leader = actor
    require_sees(actor, case)
    if leader is not None:
        _require_leader_within_reach(leader, org)
        # The leader meets the petitioner about this case: they must be allowed to read it.
        require_sees(leader, case, field="leader", who=str(leader))
    if not isinstance(at, dt.datetime) or at.tzinfo is None:
        raise ServiceError("请填写约见时间（年-月-日 时:分）。", field="at")
    moment = now()
    if at < moment:
        raise ServiceError("约见时间已过，请填写今后的时间。", field="at")
    if at > moment + dt.timedelta(days=MAX_APPOINTMENT_DAYS_AHEAD):
        raise ServiceError(
            f"约见时间应在 {MAX_APPOINTMENT_DAYS_AHEAD} 日内，现为 {local_date(at):%Y-%m-%d}，请核对。",
            field="at",
        )
    place = _place(place)
    purpose_text = optional_text(purpose)
    if len(purpose_text) > MAX_PURPOSE:
        raise ServiceError(f"约访事由不能超过 {MAX_PURPOSE} 个字。", field="purpose")
    try:
        with transaction.atomic():
            return Appointment.objects.create(
                org=org,
                case=case,
                leader=leader,
                at=at,
                place=place,
                purpose=purpose_text,
                created_by=actor,
            )
    except IntegrityError:
        raise ServiceError(
            f"信访件 {case.number} 在该时间已有约访，请勿重复安排。", field="at", code="conflict"
        ) from None


def _lock_appointment(appointment: Appointment) -> Appointment:
    try:
        return (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("org", "org__region", "case", "leader")
            .get(pk=appointment.pk)
        )
    except Appointment.DoesNotExist:
        raise ServiceError("约访不存在。", field="appointment", code="not_found") from None


def _require_appointment_party(actor: User, appointment: Appointment, *, doing: str) -> None:
    if appointment.leader_id is not None and appointment.leader_id == actor.pk:
        return
    require_organiser(actor, appointment.org, doing=doing)


@transaction.atomic
def appointment_record(
    *, actor: User, appointment: Appointment, status: str, outcome: str = ""
) -> Appointment:
    """Record how a planned appointment ended: ``held`` (with the outcome, noted on the case),
    ``absent`` (the petitioner did not come) or ``cancelled``. Once: a result is not rewritten."""
    locked = _lock_appointment(appointment)
    _require_appointment_party(actor, locked, doing="记录约访结果")
    if locked.status != AppointmentStatus.PLANNED:
        raise InvalidState(f"该约访已记录为“{locked.get_status_display()}”，不能再记录。")
    if status not in RECORDABLE_STATUSES:
        labels = "、".join(AppointmentStatus(value).label for value in RECORDABLE_STATUSES)
        raise ServiceError(f"约访结果应为：{labels}。", field="status")
    moment = now()
    if status != AppointmentStatus.CANCELLED and local_date(locked.at) > local_date(moment):
        # Held or missed is known on the day at the earliest; before it, only a cancellation.
        raise ServiceError(
            f"约见时间为 {local_date(locked.at):%Y-%m-%d}，尚未到期，只能取消。", field="status"
        )
    if status == AppointmentStatus.HELD:
        text = required_text(outcome, field="outcome", label="约访结果", empty="请填写{label}。")
    else:
        text = optional_text(outcome)
    locked.status, locked.outcome = status, text
    locked.recorded_by, locked.recorded_at = actor, moment
    locked.save(update_fields=["status", "outcome", "recorded_by", "recorded_at"])
    if status == AppointmentStatus.HELD:
        leader_name = _name(locked.leader)
        note_on_case(
            actor=actor,
            org=locked.org,
            case=locked.case,
            kind="appointment_held",
            payload={
                "appointment": locked.pk,
                "leader": locked.leader_id,
                "leader_name": leader_name,
                "outcome": _summary(text),
                "note": f"约访领导 {leader_name}" if leader_name else f"{locked.org.name}约访",
            },
        )
    return locked


# ---------------------------------------------------------------- 下访


@transaction.atomic
def field_visit_record(
    *,
    actor: User,
    org: Org,
    leader: User,
    on: dt.date,
    days: int,
    place: str,
    cases: Iterable[Case],
    participants: str = "",
    summary: str = "",
    kind: str = FieldVisitKind.DOWN,
) -> FieldVisit:
    """Record a visit down (带案下访) that took place: ``leader`` went to ``place`` on ``on`` for
    ``days`` days with ``cases``; each case's history notes the visit.

    By the organising staff of ``org`` or the leader in person. A visit is recorded once it took
    place (a planned one is not a 下访 yet and would count in the 下访天次 before it happened).
    """
    if kind != FieldVisitKind.DOWN:
        raise ServiceError("夜访请通过“推送夜访”交乡镇办理。", field="kind")
    _require_organiser_or_leader(actor, org, doing="登记下访")
    if leader is None:
        raise ServiceError("请选择带队领导。", field="leader")
    if not may_organise(actor, org) and leader.pk != actor.pk:
        raise NotAllowed("领导本人只能登记自己带队的下访。", field="leader")
    _require_leader_within_reach(leader, org)
    day = require_date(on, field="on", label="下访日期")
    if day > local_date():
        raise ServiceError("下访日期不能晚于今天：下访结束后再登记。", field="on")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_VISIT_DAYS:
        raise ServiceError(f"下访天数应为 1 至 {MAX_VISIT_DAYS} 天。", field="days")
    place = _place(place)
    chosen = _cases(cases)
    for case in chosen:
        require_sees(actor, case, field="cases")
        require_sees(leader, case, field="cases", who=str(leader))
        if not _case_within(case, org):
            raise ServiceError(
                f"信访件 {case.number} 的问题属地不在{org.region.name}，不能由{org.name}带案下访。",
                field="cases",
            )
    try:
        with transaction.atomic():
            visit = FieldVisit.objects.create(
                org=org,
                kind=FieldVisitKind.DOWN,
                leader=leader,
                on=day,
                days=days,
                place=place,
                participants=optional_text(participants),
                summary=optional_text(summary),
                created_by=actor,
            )
    except IntegrityError:
        raise ServiceError(
            f"{leader}{day:%Y-%m-%d}到{place}的下访已登记，请勿重复登记。", field="on", code="conflict"
        ) from None
    FieldVisitCase.objects.bulk_create(FieldVisitCase(visit=visit, case=case) for case in chosen)
    for case in chosen:
        note_on_case(
            actor=actor,
            org=org,
            case=case,
            kind="visited_down",
            payload={
                "visit": visit.pk,
                "visit_kind": FieldVisitKind.DOWN.value,
                "leader": leader.pk,
                "leader_name": str(leader),
                "on": day.isoformat(),
                "note": f"带队领导 {leader}，下访地点 {place}",
            },
        )
    return visit


def _lock_item(item: FieldVisitCase) -> FieldVisitCase:
    try:
        return (
            FieldVisitCase.objects.select_for_update(of=("self",))
            .select_related("visit", "visit__org", "visit__org__region", "visit__target_org", "case")
            .get(pk=item.pk)
        )
    except FieldVisitCase.DoesNotExist:
        raise ServiceError("下访件不存在。", field="item", code="not_found") from None


@transaction.atomic
def field_visit_case_outcome(
    *, actor: User, item: FieldVisitCase, resolved: bool, outcome: str
) -> FieldVisitCase:
    """Whether a case taken down was settled on the spot (就地化解), and how; once. By the
    organising staff of the visit's organ or its leader."""
    locked = _lock_item(item)
    visit = locked.visit
    if visit.kind != FieldVisitKind.DOWN:
        raise ServiceError("夜访件由承接乡镇反馈办理情况。", field="item")
    if visit.leader_id != actor.pk:
        require_organiser(actor, visit.org, doing="记录下访化解情况")
    if locked.recorded_at is not None:
        raise InvalidState("该件的化解情况已记录，不能再记录。", field="item")
    settled = _resolved(resolved)
    text = required_text(outcome, field="outcome", label="化解情况", empty="请填写{label}。")
    locked.resolved, locked.outcome = settled, text
    locked.recorded_by, locked.recorded_at = actor, now()
    locked.save(update_fields=["resolved", "outcome", "recorded_by", "recorded_at"])
    return locked


# ---------------------------------------------------------------- 夜访


def _township_sees(township: Org, case: Case) -> bool:
    """Whether someone at ``township`` who could answer (UNIT_ROLES) may read ``case``: a push the
    township cannot open would leave its staff visiting a petitioner they know nothing of."""
    staff = User.objects.filter(
        memberships__org=township,
        memberships__role__in=UNIT_ROLES,
        memberships__is_active=True,
        is_active=True,
    ).distinct()
    return any(case_visible(user, case.pk).exists() for user in staff)


@transaction.atomic
def field_visit_push(
    *,
    actor: User,
    org: Org,
    target_org: Org,
    on: dt.date,
    place: str,
    cases: Iterable[Case],
    participants: str = "",
    summary: str = "",
) -> FieldVisit:
    """夜访: ``org``'s organising staff push ``cases`` to the township office ``target_org``, whose
    staff visit the petitioners' homes on the evening of ``on`` and report on each case."""
    require_organiser(actor, org, doing="推送夜访")
    if target_org.kind != OrgKind.TOWNSHIP:
        raise ServiceError(f"{target_org.name}不是乡镇（街道），夜访应推送给乡镇办理。", field="target_org")
    if not target_org.is_active:
        raise ServiceError(f"{target_org.name}已停用。", field="target_org")
    if not within_reach(target_org, org):
        raise NotAllowed(f"{target_org.name}不在{org.region.name}范围内，不能推送。", field="target_org")
    day = require_date(on, field="on", label="夜访日期")
    today = local_date()
    if day < today:
        raise ServiceError("夜访日期不能早于今天。", field="on")
    if day > today + dt.timedelta(days=MAX_PUSH_DAYS_AHEAD):
        raise ServiceError(f"夜访日期应在 {MAX_PUSH_DAYS_AHEAD} 日内。", field="on")
    place = _place(place)
    chosen = _cases(cases)
    # The township's row serialises two pushes of the same case (a second click) for the check below.
    Org.objects.select_for_update().filter(pk=target_org.pk).first()
    for case in chosen:
        require_sees(actor, case, field="cases")
        waiting = FieldVisitCase.objects.filter(
            visit__kind=FieldVisitKind.NIGHT,
            visit__target_org=target_org,
            case=case,
            recorded_at__isnull=True,
        )
        if waiting.exists():
            raise ServiceError(
                f"信访件 {case.number} 已推送{target_org.name}夜访，尚未反馈，请勿重复推送。",
                field="cases",
                code="conflict",
            )
        if not _township_sees(target_org, case):
            raise ServiceError(
                f"{target_org.name}无权查看信访件 {case.number}（未转送或交办该乡镇），请先转送或交办后再推送夜访。",
                field="cases",
            )
    visit = FieldVisit.objects.create(
        org=org,
        kind=FieldVisitKind.NIGHT,
        target_org=target_org,
        on=day,
        days=1,
        place=place,
        participants=optional_text(participants),
        summary=optional_text(summary),
        created_by=actor,
    )
    FieldVisitCase.objects.bulk_create(FieldVisitCase(visit=visit, case=case) for case in chosen)
    return visit


@transaction.atomic
def field_visit_feedback(
    *, actor: User, item: FieldVisitCase, resolved: bool, outcome: str
) -> FieldVisitCase:
    """The township's feedback on one pushed case: visited, settled or not, and how; once, noted on
    the case's history."""
    locked = _lock_item(item)
    visit = locked.visit
    if visit.kind != FieldVisitKind.NIGHT or visit.target_org is None:
        raise ServiceError("下访件的化解情况由组织机关或带队领导记录。", field="item")
    require_role(actor, visit.target_org, UNIT_ROLES, doing="反馈夜访情况")
    require_sees(actor, locked.case, field="item")
    if locked.recorded_at is not None:
        raise InvalidState("该件已反馈，不能再反馈。", field="item")
    settled = _resolved(resolved)
    text = required_text(outcome, field="outcome", label="夜访情况", empty="请填写{label}。")
    locked.resolved, locked.outcome = settled, text
    locked.recorded_by, locked.recorded_at = actor, now()
    locked.save(update_fields=["resolved", "outcome", "recorded_by", "recorded_at"])
    note_on_case(
        actor=actor,
        org=visit.target_org,
        case=locked.case,
        kind="visited_down",
        payload={
            "visit": visit.pk,
            "visit_kind": FieldVisitKind.NIGHT.value,
            "item": locked.pk,
            "resolved": settled,
            "outcome": _summary(text),
            "note": f"夜访（{visit.target_org.name}）：{'就地化解' if settled else '未化解'}",
        },
    )
    return locked
