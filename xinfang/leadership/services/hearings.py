"""信访听证: the whole procedure, from the petitioner's application or the organ's decision to the
published conclusion (《信访工作条例》第三十一条第六项、第三十六条; the course of the session, 陈述、
询问、辩论、评议 and 结论, as the provincial rules describe it, e.g. 《山东省信访条例》第三十九条).

The steps, each one function (keyword-only, atomic, the hearing's row locked and its status checked
as read under the lock):

- start (:func:`hearing_start`): the petitioner's application recorded by staff (``applied``), or
  the organ's own decision to hold one (``decided``). The case must be visible to the actor, not
  closed, and in a stage where a hearing is held (办理中, 复查中, 复核中: where the case services
  allow ``hearing_start``); one hearing at a time per case;
- the decision on an application: accept (``decided``) or refuse (``refused``, the end);
- the announcement (公告): date, text, the time (today or later) and the venue; it may be
  announced again (改期) until the session opens;
- the participants by role, added and removed until the conclusion; the session opens only with a
  host (主持人) and the petitioner or a representative;
- the session (``in_session``): opening it calls ``case_hearing_start``, so the clocks the case's
  policy profile names stand still (第三十六条: the 复核 clock);
- the record (陈述、询问、辩论、评议), editable during the session;
- the conclusion: calls ``case_hearing_end``, and the clocks run again;
- publishing the result (第三十六条: "听证结果可以向社会公开");
- withdrawal before the session (the petitioner withdrew, or failed to attend without good reason:
  视为撤回), which ends the hearing without a conclusion.

Who: staff holding 承办人, 审核人, 信访部门负责人 or 领导 in the organ holding the case
(``case.current_org``) or in its 复查/复核 organ (``case.review_org``); that organ is the hearing's
organ (``Hearing.org``) and takes every later step. Opening and concluding the session also go
through the case services, which want the role in the organ holding the case at that moment.

Every step appends a :class:`HearingEvent` (the hearing's own trail); the case's history records
the session's start and end through the case services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from xinfang.cases.models import Case
from xinfang.cases.services import case_hearing_end, case_hearing_start, lock_case
from xinfang.cases.services.hearings import HEARING_ROLES
from xinfang.cases.vocabulary import TRANSITIONS, Action
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import LOCAL_TZ, local_date, now
from xinfang.core.validation import optional_text, required_text
from xinfang.leadership.models.hearings import (
    OPEN_HEARING_STATUSES,
    Hearing,
    HearingEvent,
    HearingOrigin,
    HearingParticipant,
    HearingStatus,
    ParticipantRole,
)
from xinfang.leadership.services._common import require_date, require_sees
from xinfang.orgs.models import Org, User
from xinfang.orgs.permissions import holds_role, require_role

__all__ = [
    "CASE_STAGES",
    "HEARING_ROLES",
    "hearing_accept",
    "hearing_add_participant",
    "hearing_announce",
    "hearing_conclude",
    "hearing_open",
    "hearing_organs",
    "hearing_publish",
    "hearing_record",
    "hearing_refuse",
    "hearing_remove_participant",
    "hearing_start",
    "hearing_withdraw",
]

# The case stages in which a hearing is held: where the case services allow one to start (办理中
# under 第三十一条第六项, 复查中, 复核中 under 第三十六条).
CASE_STAGES = frozenset(status for (status, action) in TRANSITIONS if action == Action.HEARING_START)
# The petitioner's side: the session needs one of them (a group is heard through its representatives).
PETITIONER_SIDE = (ParticipantRole.PETITIONER, ParticipantRole.REPRESENTATIVE)
MAX_TEXT = 20000
MAX_VENUE = 128
MAX_NAME = 64
MAX_AFFILIATION = 128
RECORD_FIELDS = {"statement": "陈述", "questioning": "询问", "debate": "辩论", "deliberation": "评议"}


# ---------------------------------------------------------------- who, and the shared checks


def hearing_organs(actor: User, case: Case) -> list[Org]:
    """The organs in which ``actor`` may start a hearing on ``case``: the one holding it and its
    复查/复核 organ, where the actor holds a hearing role (for the pages' choice; the service checks)."""
    found: list[Org] = []
    for org in (case.current_org, case.review_org):
        if org is not None and org not in found and holds_role(actor, org, HEARING_ROLES):
            found.append(org)
    return found


def _hearing_org(actor: User, case: Case, org: Org | None) -> Org:
    candidates = [o for o in (case.current_org, case.review_org) if o is not None]
    if org is not None:
        if org.pk not in {o.pk for o in candidates}:
            names = "、".join(dict.fromkeys(o.name for o in candidates))
            raise ServiceError(
                f"听证由办理该信访件的机关或其复查（复核）机关（{names}）组织，不能由{org.name}组织。",
                field="org",
            )
        require_role(actor, org, HEARING_ROLES, doing="组织听证")
        return org
    mine = hearing_organs(actor, case)
    if not mine:
        raise NotAllowed(
            "只有办理该信访件的机关或其复查（复核）机关的承办人、审核人、负责人或领导可以组织听证。",
            field="org",
        )
    return mine[0]


def _lock(hearing: Hearing) -> Hearing:
    try:
        return (
            Hearing.objects.select_for_update()
            .select_related("case", "case__current_org", "org")
            .get(pk=hearing.pk)
        )
    except Hearing.DoesNotExist:
        raise ServiceError("听证不存在。", field="hearing", code="not_found") from None


def _begin(
    actor: User, hearing: Hearing, allowed: Iterable[str], *, doing: str, case_open: bool = False
) -> Hearing:
    """Lock the hearing, then check the actor (a hearing role in its organ, sees the case) and the
    status read under the lock; ``case_open``: the step prepares a session, so the case must not be
    closed (refusing, concluding, publishing and withdrawing stay possible once it is)."""
    locked = _lock(hearing)
    require_role(actor, locked.org, HEARING_ROLES, doing=doing)
    require_sees(actor, locked.case)
    allowed = tuple(allowed)
    if locked.status not in allowed:
        raise InvalidState(f"听证状态为“{locked.get_status_display()}”，不能{doing}。")
    if case_open and locked.case.closed_at is not None:
        raise InvalidState(f"该信访件已办结，不能{doing}；请终止本次听证。", field="case")
    return locked


def _append(hearing: Hearing, kind: str, *, actor: User, payload: dict[str, Any] | None = None) -> None:
    last = hearing.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    HearingEvent.objects.create(
        hearing=hearing,
        seq=last + 1,
        kind=kind,
        at=now(),
        actor=actor,
        org=hearing.org,
        payload=payload or {},
    )


def _day(
    value: object, *, field: str, label: str, not_before: dt.date | None = None, since: str = ""
) -> dt.date:
    """A date that is not in the future and, when given, not before ``not_before`` (``since``
    names that earlier date in the message)."""
    day = require_date(value, field=field, label=label)
    if day > local_date():
        raise ServiceError(f"{label}不能晚于今天。", field=field)
    if not_before is not None and day < not_before:
        raise ServiceError(f"{label}不能早于{since}（{not_before:%Y-%m-%d}）。", field=field)
    return day


def _text(value: str | None, *, field: str, label: str, max_length: int = MAX_TEXT) -> str:
    return required_text(value, field=field, label=label, max_length=max_length, empty="请填写{label}。")


def _optional(value: str | None, *, field: str, label: str, max_length: int = MAX_TEXT) -> str:
    text = optional_text(value)
    if len(text) > max_length:
        raise ServiceError(f"{label}不能超过 {max_length} 个字（现有 {len(text)} 个字）。", field=field)
    return text


def _moment(value: object, *, field: str, label: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ServiceError(f"请填写{label}（日期和时间）。", field=field)
    # A time typed without a zone is Beijing time, as every time on the pages is.
    return value if value.tzinfo is not None else value.replace(tzinfo=LOCAL_TZ)


# ---------------------------------------------------------------- start


@transaction.atomic
def hearing_start(
    *,
    actor: User,
    case: Case,
    origin: str,
    org: Org | None = None,
    applied_on: dt.date | None = None,
    application: str = "",
    decided_on: dt.date | None = None,
    decision: str = "",
) -> Hearing:
    """Record a petitioner's application for a hearing (``origin="applied"``: ``applied_on`` and
    ``application``), or the organ's decision to hold one (``origin="decided"``: ``decided_on`` and
    ``decision``). ``org``: the organising organ (default: the first of the organ holding the case
    and its 复查/复核 organ in which the actor holds a hearing role)."""
    if origin not in HearingOrigin.values:
        raise ServiceError("请选择启动方式：信访人申请或机关决定。", field="origin")
    require_sees(actor, case)
    # The case row lock serialises two clerks starting a hearing on one case; the partial unique
    # constraint (one open hearing per case) is the backstop.
    locked = lock_case(case.pk)
    if locked.closed_at is not None:
        raise InvalidState("该信访件已办结，不能组织听证。", field="case")
    if locked.status not in CASE_STAGES:
        raise InvalidState(
            f"该信访件状态为“{locked.get_status_display()}”；听证在办理、复查或复核期间组织"
            "（《信访工作条例》第三十一条、第三十六条）。",
            field="case",
        )
    organ = _hearing_org(actor, locked, org)
    if Hearing.objects.filter(case=locked, status__in=OPEN_HEARING_STATUSES).exists():
        raise ServiceError(
            "该信访件已有未结束的听证，请在其作出结论或终止后再组织。", field="case", code="conflict"
        )
    fields: dict[str, Any]
    if origin == HearingOrigin.APPLIED:
        on = _day(
            applied_on, field="applied_on", label="申请日期", not_before=locked.received_on, since="信访日期"
        )
        fields = {
            "status": HearingStatus.APPLIED,
            "applied_on": on,
            "application": _text(application, field="application", label="申请事项和理由"),
        }
        kind = HearingEvent.Kind.APPLIED
    else:
        on = _day(
            decided_on, field="decided_on", label="决定日期", not_before=locked.received_on, since="信访日期"
        )
        fields = {
            "status": HearingStatus.DECIDED,
            "decided_on": on,
            "decision": _text(decision, field="decision", label="决定意见"),
        }
        kind = HearingEvent.Kind.DECIDED
    try:
        with transaction.atomic():
            hearing = Hearing.objects.create(
                case=locked, org=organ, origin=origin, created_by=actor, **fields
            )
    except IntegrityError:
        raise ServiceError("该信访件已有未结束的听证。", field="case", code="conflict") from None
    _append(hearing, kind, actor=actor, payload={"on": str(on)})
    return hearing


# ---------------------------------------------------------------- the decision on an application


@transaction.atomic
def hearing_accept(*, actor: User, hearing: Hearing, decided_on: dt.date, decision: str) -> Hearing:
    """The organ grants the petitioner's application: the hearing will be held."""
    locked = _begin(actor, hearing, [HearingStatus.APPLIED], doing="同意听证申请", case_open=True)
    assert locked.applied_on is not None
    locked.decided_on = _day(
        decided_on, field="decided_on", label="决定日期", not_before=locked.applied_on, since="申请日期"
    )
    locked.decision = _text(decision, field="decision", label="决定意见")
    locked.status = HearingStatus.DECIDED
    locked.save(update_fields=["decided_on", "decision", "status"])
    _append(locked, HearingEvent.Kind.ACCEPTED, actor=actor, payload={"on": str(locked.decided_on)})
    return locked


@transaction.atomic
def hearing_refuse(*, actor: User, hearing: Hearing, decided_on: dt.date, reason: str) -> Hearing:
    """The organ refuses the application, with its reasons (不予听证): the hearing ends here."""
    locked = _begin(actor, hearing, [HearingStatus.APPLIED], doing="作出不予听证决定")
    assert locked.applied_on is not None
    locked.decided_on = _day(
        decided_on, field="decided_on", label="决定日期", not_before=locked.applied_on, since="申请日期"
    )
    locked.decision = _text(reason, field="reason", label="不予听证的理由")
    locked.status = HearingStatus.REFUSED
    locked.save(update_fields=["decided_on", "decision", "status"])
    _append(locked, HearingEvent.Kind.REFUSED, actor=actor, payload={"on": str(locked.decided_on)})
    return locked


# ---------------------------------------------------------------- announcement


@transaction.atomic
def hearing_announce(
    *,
    actor: User,
    hearing: Hearing,
    announced_on: dt.date,
    announcement: str,
    scheduled_at: dt.datetime,
    venue: str,
) -> Hearing:
    """公告: when and where the hearing is held, announced on ``announced_on``. Again while not yet
    in session, to move it (改期)."""
    locked = _begin(
        actor, hearing, [HearingStatus.DECIDED, HearingStatus.ANNOUNCED], doing="发布听证公告", case_open=True
    )
    assert locked.decided_on is not None
    announced = _day(
        announced_on, field="announced_on", label="公告日期", not_before=locked.decided_on, since="决定日期"
    )
    text = _text(announcement, field="announcement", label="公告内容")
    moment = _moment(scheduled_at, field="scheduled_at", label="听证时间")
    if local_date(moment) < local_date():
        raise ServiceError("听证时间不能早于今天。", field="scheduled_at")
    place = _text(venue, field="venue", label="听证地点", max_length=MAX_VENUE)
    again = locked.status == HearingStatus.ANNOUNCED
    locked.announced_on, locked.announcement, locked.scheduled_at, locked.venue = (
        announced,
        text,
        moment,
        place,
    )
    locked.status = HearingStatus.ANNOUNCED
    locked.save(update_fields=["announced_on", "announcement", "scheduled_at", "venue", "status"])
    _append(
        locked,
        HearingEvent.Kind.ANNOUNCED,
        actor=actor,
        payload={"on": str(announced), "scheduled_at": moment.isoformat(), "venue": place, "again": again},
    )
    return locked


# ---------------------------------------------------------------- participants


@transaction.atomic
def hearing_add_participant(
    *, actor: User, hearing: Hearing, role: str, name: str, affiliation: str = ""
) -> HearingParticipant:
    """A participant by role (主持人, 听证员, 信访人, 人大代表, 政协委员, 律师 ...), until the conclusion."""
    locked = _begin(actor, hearing, OPEN_HEARING_STATUSES, doing="增加听证参加人", case_open=True)
    if role not in ParticipantRole.values:
        raise ServiceError(f"参加人身份应为：{'、'.join(ParticipantRole.labels)}。", field="role")
    person = _text(name, field="name", label="参加人姓名", max_length=MAX_NAME)
    where = _optional(affiliation, field="affiliation", label="单位或职务", max_length=MAX_AFFILIATION)
    present = locked.participants.all()
    if role == ParticipantRole.HOST and present.filter(role=ParticipantRole.HOST).exists():
        raise ServiceError("听证只设一名主持人；请先移除原主持人。", field="role")
    if present.filter(role=role, name=person).exists():
        raise ServiceError(f"{person}已是本次听证的{ParticipantRole(role).label}。", field="name")
    participant = HearingParticipant.objects.create(hearing=locked, role=role, name=person, affiliation=where)
    _append(
        locked,
        HearingEvent.Kind.PARTICIPANT_ADDED,
        actor=actor,
        payload={"participant": participant.pk, "role": role, "name": person},
    )
    return participant


@transaction.atomic
def hearing_remove_participant(*, actor: User, hearing: Hearing, participant: HearingParticipant) -> Hearing:
    locked = _begin(actor, hearing, OPEN_HEARING_STATUSES, doing="移除听证参加人")
    found = locked.participants.filter(pk=participant.pk).first()
    if found is None:
        raise ServiceError("该参加人不在本次听证的名单中。", field="participant", code="not_found")
    if locked.status == HearingStatus.IN_SESSION:
        # The session was opened with a host and the petitioner's side; it keeps them to the end.
        rest = locked.participants.exclude(pk=found.pk)
        if found.role == ParticipantRole.HOST:
            raise InvalidState("听证进行中，不能移除主持人。", field="participant")
        if found.role in PETITIONER_SIDE and not rest.filter(role__in=PETITIONER_SIDE).exists():
            raise InvalidState("听证进行中，须至少保留一名信访人或信访人代表。", field="participant")
    found.delete()
    _append(
        locked,
        HearingEvent.Kind.PARTICIPANT_REMOVED,
        actor=actor,
        payload={"participant": participant.pk, "role": found.role, "name": found.name},
    )
    return locked


# ---------------------------------------------------------------- the session


@transaction.atomic
def hearing_open(*, actor: User, hearing: Hearing, started_on: dt.date) -> Hearing:
    """The session opens: the case's clocks named by its profile stand still from now
    (``case_hearing_start``, 第三十六条) until the conclusion is recorded."""
    locked = _begin(actor, hearing, [HearingStatus.ANNOUNCED], doing="开始听证", case_open=True)
    assert locked.scheduled_at is not None
    scheduled = local_date(locked.scheduled_at)
    started = _day(
        started_on, field="started_on", label="听证开始日期", not_before=scheduled, since="公告的听证日期"
    )
    roles = set(locked.participants.values_list("role", flat=True))
    if ParticipantRole.HOST not in roles:
        raise ServiceError("请先确定听证主持人。", field="participants")
    if not roles & set(PETITIONER_SIDE):
        raise ServiceError("请先登记参加听证的信访人或信访人代表。", field="participants")
    locked.case = case_hearing_start(actor=actor, case=locked.case, note=f"听证（{locked.org.name}）")
    locked.started_on = started
    locked.status = HearingStatus.IN_SESSION
    locked.save(update_fields=["started_on", "status"])
    _append(locked, HearingEvent.Kind.OPENED, actor=actor, payload={"on": str(started)})
    return locked


@transaction.atomic
def hearing_record(
    *,
    actor: User,
    hearing: Hearing,
    statement: str | None = None,
    questioning: str | None = None,
    debate: str | None = None,
    deliberation: str | None = None,
) -> Hearing:
    """The record of the session: 陈述、询问、辩论、评议. A part left as None stays as it is."""
    locked = _begin(actor, hearing, [HearingStatus.IN_SESSION], doing="记录听证过程")
    given = {
        "statement": statement,
        "questioning": questioning,
        "debate": debate,
        "deliberation": deliberation,
    }
    changed = []
    for name, value in given.items():
        if value is None:
            continue
        text = _optional(value, field=name, label=RECORD_FIELDS[name])
        if text != getattr(locked, name):
            setattr(locked, name, text)
            changed.append(name)
    if changed:
        locked.save(update_fields=changed)
        _append(locked, HearingEvent.Kind.RECORDED, actor=actor, payload={"parts": changed})
    return locked


@transaction.atomic
def hearing_conclude(*, actor: User, hearing: Hearing, conclusion: str, ended_on: dt.date) -> Hearing:
    """The conclusion (听证结论): the case's clocks run again (``case_hearing_end``)."""
    locked = _begin(actor, hearing, [HearingStatus.IN_SESSION], doing="作出听证结论")
    assert locked.started_on is not None
    text = _text(conclusion, field="conclusion", label="听证结论")
    ended = require_date(ended_on, field="ended_on", label="听证结束日期")
    if ended < locked.started_on:
        raise ServiceError(
            f"听证结束日期不能早于开始日期（{locked.started_on:%Y-%m-%d}）：听证不能在开始之前结束。",
            field="ended_on",
        )
    ended = _day(ended, field="ended_on", label="听证结束日期")
    payload: dict[str, Any] = {"on": str(ended)}
    if locked.case.paused:
        locked.case = case_hearing_end(actor=actor, case=locked.case, conclusion=text)
    else:
        # The session was ended from the case page (结束听证) already: the clocks run again since then.
        payload["case_resumed_before"] = True
    locked.conclusion, locked.ended_on, locked.status = text, ended, HearingStatus.CONCLUDED
    locked.save(update_fields=["conclusion", "ended_on", "status"])
    _append(locked, HearingEvent.Kind.CONCLUDED, actor=actor, payload=payload)
    return locked


@transaction.atomic
def hearing_publish(*, actor: User, hearing: Hearing, published_on: dt.date) -> Hearing:
    """The result is made public (第三十六条: 听证结果可以向社会公开)."""
    locked = _begin(actor, hearing, [HearingStatus.CONCLUDED], doing="公开听证结论")
    assert locked.ended_on is not None
    locked.published_on = _day(
        published_on, field="published_on", label="公开日期", not_before=locked.ended_on, since="听证结束日期"
    )
    locked.status = HearingStatus.PUBLISHED
    locked.save(update_fields=["published_on", "status"])
    _append(locked, HearingEvent.Kind.PUBLISHED, actor=actor, payload={"on": str(locked.published_on)})
    return locked


@transaction.atomic
def hearing_withdraw(*, actor: User, hearing: Hearing, withdrawn_on: dt.date, reason: str) -> Hearing:
    """The hearing ends before its session: the petitioner withdrew the application, or did not
    attend without good reason and is taken to have withdrawn (视为撤回), or it is no longer needed."""
    locked = _begin(
        actor,
        hearing,
        [HearingStatus.APPLIED, HearingStatus.DECIDED, HearingStatus.ANNOUNCED],
        doing="终止听证",
    )
    earliest = locked.announced_on or locked.decided_on or locked.applied_on
    assert earliest is not None
    locked.withdrawn_on = _day(
        withdrawn_on, field="withdrawn_on", label="终止日期", not_before=earliest, since="上一步骤的日期"
    )
    locked.withdrawal = _text(reason, field="reason", label="终止理由")
    locked.status = HearingStatus.WITHDRAWN
    locked.save(update_fields=["withdrawn_on", "withdrawal", "status"])
    _append(locked, HearingEvent.Kind.WITHDRAWN, actor=actor, payload={"on": str(locked.withdrawn_on)})
    return locked
