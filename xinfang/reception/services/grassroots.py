"""The grass-roots points (镇级工作站、村级服务点、基层调解平台): what people bring ("说事"), its mediation
(调解), and its resolution on the spot (就地化解) or escalation to the township or county as a case.

The reports: "镇级工作站73个、村级服务点745个…接待群众'说事'3200多人次，成功调解…950余起". 《信访工作条例》
第十八条 asks that matters be resolved where they arise (就地化解), 第三十三条 that a matter fit for it be
mediated, the agreement written down (调解协议书). What a point cannot settle goes to its township or
to the county's petition bureau, which registers it as a case (第二十二条); the point's work, its
mediations with their outcome, stands in the case's history.

Who may do what:

- register a talk, mediate, resolve, escalate: staff of the point or of an organ above it
  (``require_point_staff``), at an active point (``require_point``);
- register the escalated matter as a case: a registrar (登记员、承办人、信访部门负责人) of the organ it was
  escalated to (the case service checks the role again).

The states of a talk: OPEN (待处理) → MEDIATING (调解中, while a mediation runs and after an agreement,
until the petitioner confirms the resolution) → RESOLVED (就地化解) or ESCALATED (已上报). A failed
mediation returns the talk to OPEN; a new mediation may start whenever none is running.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from xinfang.cases import pii
from xinfang.cases.models import Case, Channel, ContentCategory
from xinfang.cases.services import PetitionerInput, case_register_detailed
from xinfang.cases.services.registration import REGISTER_ROLES, phone_problem
from xinfang.cases.vocabulary import EventKind
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import local_date, now
from xinfang.core.validation import (
    MAX_CONTENT,
    MAX_HEADCOUNT,
    MAX_PERSON_NAME,
    MAX_SUBJECT,
    optional_text,
    required_text,
)
from xinfang.orgs.models import Org, OrgKind, Region, User
from xinfang.orgs.permissions import holds_role
from xinfang.reception.models import Mediation, MediationOutcome, Talk, TalkStatus
from xinfang.reception.services._common import (
    note_on_case,
    region_prefixes,
    require_point,
    require_point_staff,
)

__all__ = [
    "escalation_targets",
    "mediation_conclude",
    "mediation_follow_up",
    "mediation_start",
    "talk_escalate",
    "talk_register",
    "talk_register_case",
    "talk_resolve",
]

MAX_ADDRESS = 200
MAX_PHONE = 32
MAX_PARTIES = 2000
MAX_MEDIATOR = 64
MAX_TEXT = 20000
MAX_CONFIRMATION = 64
# A talk is written down the day it is brought or shortly after.
MAX_DAYS_BACK = 30
DOING_TALK = "登记群众说事"
DOING_MEDIATE = "组织调解"
DOING_RESOLVE = "登记就地化解"
DOING_ESCALATE = "上报群众说事"


# ---------------------------------------------------------------- shared checks


def _lock_talk(talk: Talk) -> Talk:
    try:
        return (
            Talk.objects.select_for_update(of=("self",))
            .select_related("point__region", "escalated_to__region")
            .get(pk=talk.pk)
        )
    except Talk.DoesNotExist:
        raise ServiceError("说事记录不存在。", field="talk", code="not_found") from None


def _lock_mediation(mediation: Mediation) -> Mediation:
    try:
        return (
            Mediation.objects.select_for_update(of=("self",))
            .select_related("talk__point__region")
            .get(pk=mediation.pk)
        )
    except Mediation.DoesNotExist:
        raise ServiceError("调解记录不存在。", field="mediation", code="not_found") from None


def _require_date(value: object, *, field: str, label: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ServiceError(f"请填写{label}（年-月-日）。", field=field)
    return value


def _require_not_closed(talk: Talk) -> None:
    if talk.status == TalkStatus.RESOLVED:
        raise InvalidState("该事项已就地化解，不能再办理。", field="talk")
    if talk.status == TalkStatus.ESCALATED:
        raise InvalidState(
            f"该事项已上报{talk.escalated_to.name if talk.escalated_to else ''}，不能再办理。", field="talk"
        )


def _require_no_ongoing(talk: Talk, *, doing: str) -> None:
    if talk.mediations.filter(outcome=MediationOutcome.ONGOING).exists():
        raise InvalidState(f"该事项正在调解中，请先登记调解结果再{doing}。", field="talk")


def _phone(value: str) -> str:
    phone = optional_text(value)
    if not phone:
        return ""
    if len(phone) > MAX_PHONE or (problem := phone_problem(phone)):
        raise ServiceError(problem or "联系电话过长。", field="phone")
    return pii.normalise(phone)


# ---------------------------------------------------------------- 说事


@transaction.atomic
def talk_register(
    *,
    actor: User,
    point: Org,
    name: str,
    phone: str = "",
    address: str = "",
    headcount: int = 1,
    category: ContentCategory | None = None,
    subject: str,
    content: str,
    received_at: dt.datetime | None = None,
) -> Talk:
    """Write down what ``name`` (alone or with ``headcount`` people) brought to ``point``; the name
    and phone are encrypted like a petitioner's."""
    require_point(point)
    require_point_staff(actor, point, doing=DOING_TALK)
    person = required_text(
        name, field="name", label="姓名", max_length=MAX_PERSON_NAME, empty="请填写说事群众的{label}。"
    )
    phone_text = _phone(phone)
    address_text = optional_text(address)
    if len(address_text) > MAX_ADDRESS:
        raise ServiceError(f"住址不能超过 {MAX_ADDRESS} 个字。", field="address")
    if isinstance(headcount, bool) or not isinstance(headcount, int) or not 1 <= headcount <= MAX_HEADCOUNT:
        raise ServiceError(f"人数应为 1 至 {MAX_HEADCOUNT} 之间的整数。", field="headcount")
    if category is not None and not category.is_active:
        raise ServiceError(f"内容分类“{category.name}”已停用。", field="category")
    subject_text = required_text(
        subject, field="subject", label="事项", max_length=MAX_SUBJECT, empty="请填写{label}。"
    )
    content_text = required_text(
        content, field="content", label="具体情况", max_length=MAX_CONTENT, empty="请填写{label}。"
    )
    moment = now()
    if received_at is None:
        received_at = moment
    elif not isinstance(received_at, dt.datetime) or received_at.tzinfo is None:
        raise ServiceError("请填写接待时间（年-月-日 时:分）。", field="received_at")
    elif received_at > moment:
        raise ServiceError("接待时间不能晚于现在。", field="received_at")
    elif local_date(received_at) < local_date(moment) - dt.timedelta(days=MAX_DAYS_BACK):
        raise ServiceError(f"只能登记 {MAX_DAYS_BACK} 日以内接待的说事。", field="received_at")
    return Talk.objects.create(
        point=point,
        received_at=received_at,
        name_enc=pii.encrypt(person),
        phone_enc=pii.encrypt(phone_text),
        address=address_text,
        headcount=headcount,
        category=category,
        subject=subject_text,
        content=content_text,
        recorded_by=actor,
    )


# ---------------------------------------------------------------- 调解 (第三十三条)


@transaction.atomic
def mediation_start(
    *, actor: User, talk: Talk, parties: str, mediator: str, started_on: dt.date
) -> Mediation:
    """Begin a mediation of ``talk`` between ``parties`` led by ``mediator``: the talk is MEDIATING
    until it ends. One mediation at a time."""
    locked = _lock_talk(talk)
    require_point(locked.point, field="talk")
    require_point_staff(actor, locked.point, doing=DOING_MEDIATE)
    _require_not_closed(locked)
    _require_no_ongoing(locked, doing="开始新的调解")
    parties_text = required_text(
        parties, field="parties", label="当事人", max_length=MAX_PARTIES, empty="请填写调解的{label}。"
    )
    mediator_text = required_text(
        mediator, field="mediator", label="调解员", max_length=MAX_MEDIATOR, empty="请填写{label}。"
    )
    day = _require_date(started_on, field="started_on", label="调解日期")
    if day > local_date():
        raise ServiceError("调解日期不能晚于今天：请在调解开始后登记。", field="started_on")
    received = local_date(locked.received_at)
    if day < received:
        raise ServiceError(
            f"调解日期（{day:%Y-%m-%d}）不能早于接待日期（{received:%Y-%m-%d}）。", field="started_on"
        )
    mediation = Mediation.objects.create(
        talk=locked, parties=parties_text, mediator=mediator_text, started_on=day, recorded_by=actor
    )
    locked.status = TalkStatus.MEDIATING
    locked.save(update_fields=["status"])
    return mediation


@transaction.atomic
def mediation_conclude(
    *,
    actor: User,
    mediation: Mediation,
    outcome: str,
    agreement: str = "",
    concluded_on: dt.date,
    follow_up_on: dt.date | None = None,
) -> Mediation:
    """End a mediation. ``agreed``: the agreement's text (第三十三条: 调解协议书) and the day of the
    回访 that checks it is carried out; the talk stays MEDIATING until the petitioner confirms its
    resolution. ``failed``: the talk is OPEN again (mediate again, or escalate it)."""
    # The talk first, then the mediation: the order mediation_start takes them in.
    talk = _lock_talk(Talk(pk=mediation.talk_id))
    locked = _lock_mediation(mediation)
    require_point(talk.point, field="mediation")
    require_point_staff(actor, talk.point, doing=DOING_MEDIATE)
    if locked.outcome != MediationOutcome.ONGOING:
        raise InvalidState(
            f"该调解已于 {locked.concluded_on:%Y-%m-%d} 结束，不能重复登记结果。", field="mediation"
        )
    if outcome not in (MediationOutcome.AGREED, MediationOutcome.FAILED):
        raise ServiceError("调解结果应为“达成协议”或“调解不成”。", field="outcome")
    day = _require_date(concluded_on, field="concluded_on", label="结束日期")
    if day > local_date():
        raise ServiceError("结束日期不能晚于今天。", field="concluded_on")
    if day < locked.started_on:
        raise ServiceError(
            f"结束日期（{day:%Y-%m-%d}）不能早于调解日期（{locked.started_on:%Y-%m-%d}）。",
            field="concluded_on",
        )
    agreement_text = optional_text(agreement)
    follow_up = None
    if outcome == MediationOutcome.AGREED:
        if not agreement_text:
            raise ServiceError("达成协议的，请填写调解协议内容（第三十三条）。", field="agreement")
        if len(agreement_text) > MAX_TEXT:
            raise ServiceError(f"调解协议内容不能超过 {MAX_TEXT} 个字。", field="agreement")
        if follow_up_on is None:
            raise ServiceError("达成协议的，请填写回访日期，回访协议是否履行。", field="follow_up_on")
        follow_up = _require_date(follow_up_on, field="follow_up_on", label="回访日期")
        if follow_up < day:
            raise ServiceError(
                f"回访日期（{follow_up:%Y-%m-%d}）不能早于结束日期（{day:%Y-%m-%d}）。", field="follow_up_on"
            )
    elif agreement_text or follow_up_on is not None:
        raise ServiceError("调解不成的，不填写调解协议和回访日期。", field="agreement")
    locked.outcome, locked.agreement, locked.concluded_on, locked.follow_up_on = (
        outcome,
        agreement_text,
        day,
        follow_up,
    )
    locked.save(update_fields=["outcome", "agreement", "concluded_on", "follow_up_on"])
    if outcome == MediationOutcome.FAILED:
        talk.status = TalkStatus.OPEN
        talk.save(update_fields=["status"])
    return locked


@transaction.atomic
def mediation_follow_up(*, actor: User, mediation: Mediation, note: str) -> Mediation:
    """回访 after an agreement: whether it was carried out, recorded once."""
    locked = _lock_mediation(mediation)
    point = locked.talk.point
    require_point_staff(actor, point, doing="登记调解回访")
    if locked.outcome != MediationOutcome.AGREED:
        raise InvalidState("只有达成协议的调解需要回访。", field="mediation")
    if locked.followed_up_at is not None:
        raise InvalidState(
            f"该调解已于 {local_date(locked.followed_up_at):%Y-%m-%d} 回访。", field="mediation"
        )
    locked.follow_up_note = required_text(
        note, field="note", label="回访情况", max_length=MAX_TEXT, empty="请填写{label}（协议是否履行）。"
    )
    locked.followed_up_at = now()
    locked.save(update_fields=["follow_up_note", "followed_up_at"])
    return locked


# ---------------------------------------------------------------- 就地化解


@transaction.atomic
def talk_resolve(*, actor: User, talk: Talk, resolution: str, confirmation: str) -> Talk:
    """就地化解: the matter settled at the point, as the petitioner confirms (``confirmation`` says
    how: 本人签字, 电话确认 …); a resolution nobody confirmed is not counted as one."""
    locked = _lock_talk(talk)
    require_point(locked.point, field="talk")
    require_point_staff(actor, locked.point, doing=DOING_RESOLVE)
    _require_not_closed(locked)
    _require_no_ongoing(locked, doing="登记就地化解")
    locked.resolution = required_text(
        resolution, field="resolution", label="化解情况", max_length=MAX_TEXT, empty="请填写{label}。"
    )
    locked.confirmation = required_text(
        confirmation,
        field="confirmation",
        label="群众确认方式",
        max_length=MAX_CONFIRMATION,
        empty="就地化解须经群众本人确认，请填写{label}（如“本人签字”“电话确认”）。",
    )
    locked.confirmed_by_petitioner = True
    locked.resolved_at = now()
    locked.status = TalkStatus.RESOLVED
    locked.save(
        update_fields=["resolution", "confirmation", "confirmed_by_petitioner", "resolved_at", "status"]
    )
    return locked


# ---------------------------------------------------------------- 上报


def escalation_targets(point: Org) -> list[Org]:
    """Where ``point`` may escalate a matter: its township (a TOWNSHIP organ above it in the tree)
    and the petition bureaus whose region contains the point's (the county's, and above), nearest
    first."""
    ancestors = [int(p) for p in point.path.strip("/").split("/") if p and int(p) != point.pk]
    townships = Org.objects.filter(pk__in=ancestors, kind=OrgKind.TOWNSHIP, is_active=True)
    bureaus = Org.objects.filter(
        kind=OrgKind.PETITION_BUREAU, is_active=True, region__path__in=region_prefixes(point)
    )
    found = list(townships.select_related("region")) + list(bureaus.select_related("region"))
    return sorted(found, key=lambda org: (-len(org.region.path), org.kind != OrgKind.TOWNSHIP, org.pk))


@transaction.atomic
def talk_escalate(*, actor: User, talk: Talk, to_org: Org, reason: str) -> Talk:
    """上报: the point cannot settle the matter; it goes to the township or the county's petition
    bureau, whose registrar registers it as a case (``talk_register_case``)."""
    locked = _lock_talk(talk)
    require_point(locked.point, field="talk")
    require_point_staff(actor, locked.point, doing=DOING_ESCALATE)
    _require_not_closed(locked)
    _require_no_ongoing(locked, doing="上报")
    if not isinstance(to_org, Org) or to_org.pk not in {org.pk for org in escalation_targets(locked.point)}:
        name = to_org.name if isinstance(to_org, Org) else "所选机关"
        raise ServiceError(
            f"{name}不是{locked.point.name}所属的乡镇（街道），也不是所在地的信访部门，不能上报。",
            field="to_org",
        )
    locked.escalation_reason = required_text(
        reason, field="reason", label="上报理由", max_length=MAX_TEXT, empty="请填写{label}。"
    )
    locked.escalated_to = to_org
    locked.escalated_at = now()
    locked.status = TalkStatus.ESCALATED
    locked.save(update_fields=["escalation_reason", "escalated_to", "escalated_at", "status"])
    return locked


def _mediations_summary(talk: Talk) -> list[dict[str, str]]:
    return [
        {
            "outcome": m.outcome,
            "outcome_name": m.get_outcome_display(),
            "started_on": m.started_on.isoformat(),
            "concluded_on": m.concluded_on.isoformat() if m.concluded_on else "",
        }
        for m in talk.mediations.order_by("started_on", "pk")
    ]


@transaction.atomic
def talk_register_case(
    *,
    actor: User,
    talk: Talk,
    nature: str,
    category: ContentCategory,
    subject: str,
    content: str,
    problem_region: Region,
) -> Case:
    """The receiving organ registers the escalated matter as a case (第二十二条: its 15 days run
    from this registration), with the person who brought it as petitioner; the point's work, its
    mediations summarised, is the case's second step. Once per talk."""
    locked = _lock_talk(talk)
    if locked.status != TalkStatus.ESCALATED or locked.escalated_to is None:
        raise InvalidState("该事项尚未上报，不能登记为信访件。", field="talk")
    if locked.case_id is not None:
        raise InvalidState("该事项已登记为信访件，不能重复登记。", field="talk")
    org = locked.escalated_to
    if not holds_role(actor, org, REGISTER_ROLES):
        raise NotAllowed(
            f"只有{org.name}的登记员、承办人或信访部门负责人可以将上报事项登记为信访件。", field="talk"
        )
    if not isinstance(category, ContentCategory):
        raise ServiceError("请选择内容分类。", field="category")
    if not isinstance(problem_region, Region):
        raise ServiceError("请选择问题属地。", field="problem_region")
    assert locked.escalated_at is not None  # set with escalated_to
    registration = case_register_detailed(
        actor=actor,
        org=org,
        channel=Channel.VISIT,
        nature=nature,
        category=category,
        subject=subject,
        content=content,
        problem_region=problem_region,
        petitioners=[PetitionerInput(name=locked.name, phone=locked.phone, address=locked.address)],
        # The organ received the matter the day it was escalated to it.
        received_on=local_date(locked.escalated_at),
        headcount=locked.headcount,
    )
    case = registration.case
    mediations = _mediations_summary(locked)
    agreed = sum(1 for m in mediations if m["outcome"] == MediationOutcome.AGREED)
    note_on_case(
        actor=actor,
        org=org,
        case=case,
        kind=EventKind.ESCALATED_FROM_POINT,
        payload={
            "talk": locked.pk,
            "point": locked.point.pk,
            "point_name": locked.point.name,
            "subject": locked.subject,
            "escalated_on": local_date(locked.escalated_at).isoformat(),
            "mediations": mediations,
            "note": (
                f"{locked.point.name}上报：{locked.subject}；"
                + (f"经调解 {len(mediations)} 次（达成协议 {agreed} 次）" if mediations else "未经调解")
            ),
        },
    )
    locked.case = case
    locked.save(update_fields=["case"])
    return case
