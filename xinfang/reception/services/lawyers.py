"""律师参与接访: the lawyers on a hall's rota and the consultations they give.

The reports: "严格落实律师每周三、五接访制度…为来访群众提供法律咨询和服务共*批次*人次". A lawyer is on the
rota of one hall on fixed weekdays; each consultation is one 批次 of ``persons`` 人次, with the topic,
the advice given and whether the visitor was referred to legal aid. Where the matter is a case, the
consultation is a step in the case's history (第十八条第三款: 律师等第三方参与化解; 第三十一条: the
lawyer's advice is often the first word on the legal route).

Who may do what: the hall's staff (``require_hall_staff``: staff of the hosting organ, or of a
petition bureau / government whose region contains it) keep the lawyers and record consultations.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.db import transaction

from xinfang.cases import pii
from xinfang.cases.models import Case, ContentCategory
from xinfang.cases.services.registration import phone_problem
from xinfang.cases.vocabulary import EventKind
from xinfang.core.errors import InvalidState, ServiceError
from xinfang.core.timeutil import local_date, now
from xinfang.core.validation import optional_text, required_text
from xinfang.orgs.models import User
from xinfang.reception.models import Hall, Lawyer, LawyerConsultation, Ticket
from xinfang.reception.services._common import (
    note_on_case,
    require_hall_staff,
    require_open_hall,
    require_sees,
)

__all__ = [
    "WEEKDAY_NAMES",
    "lawyer_add",
    "lawyer_consultation_record",
    "lawyer_deactivate",
    "lawyer_update",
    "parse_weekdays",
    "weekdays_text",
]

MAX_NAME = 64
MAX_FIRM = 128
MAX_PHONE = 32
MAX_TOPIC = 200
MAX_ADVICE = 20000
MAX_REASON = 200
MAX_PERSONS = 999
# A consultation is recorded on the day or soon after; older than this is a different record
# (an archive being typed in), not the desk's log.
MAX_DAYS_BACK = 30
LICENCE_DIGITS = 17
WEEKDAY_NAMES = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "日"}
_LICENCE = re.compile(r"^[0-9]{17}$")
_WEEKDAY_SEPARATORS = re.compile(r"[,，、\s]+")
DOING_KEEP = "管理接访律师"
DOING_RECORD = "登记律师接访"


# ---------------------------------------------------------------- checks


def parse_weekdays(value: str | Iterable[int]) -> list[int]:
    """The rota's ISO weekdays (1 = Monday … 7 = Sunday), each once, sorted: "5,3" → [3, 5].
    Refused on ``weekdays`` when empty or out of 1–7."""
    if isinstance(value, str):
        parts = [part for part in _WEEKDAY_SEPARATORS.split(value.strip()) if part]
    else:
        parts = [str(part) for part in value]
    days: set[int] = set()
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= 7:
            raise ServiceError(
                f"接访日“{part}”无效：请填写星期几的数字 1 至 7（1 为星期一，7 为星期日）。", field="weekdays"
            )
        days.add(int(part))
    if not days:
        raise ServiceError("请至少选择一个接访日（星期几）。", field="weekdays")
    return sorted(days)


def weekdays_text(days: Iterable[int]) -> str:
    """每周三、五."""
    return "每周" + "、".join(WEEKDAY_NAMES[day] for day in days)


def _licence(value: str) -> str:
    number = pii.normalise(value or "")
    if not number:
        raise ServiceError("请填写律师执业证号。", field="licence_number")
    if not _LICENCE.match(number):
        # Only the form is checked here; whether the licence is real is for the justice bureau's
        # register (全国律师执业诚信信息公示平台), which the clerk consults when in doubt.
        raise ServiceError(
            f"律师执业证号应为 {LICENCE_DIGITS} 位数字（本系统只核对位数和数字，不核验证号真伪）。",
            field="licence_number",
        )
    return number


def _phone(value: str) -> str:
    phone = optional_text(value)
    if not phone:
        return ""
    if len(phone) > MAX_PHONE or (problem := phone_problem(phone)):
        raise ServiceError(f"律师{problem or '联系电话过长。'}", field="phone")
    return pii.normalise(phone)


def _lawyer_fields(
    *, name: str, firm: str, licence_number: str, phone: str, weekdays: str | Iterable[int]
) -> dict[str, str]:
    return {
        "name": required_text(
            name, field="name", label="律师姓名", max_length=MAX_NAME, empty="请填写{label}。"
        ),
        "firm": required_text(
            firm, field="firm", label="律师事务所", max_length=MAX_FIRM, empty="请填写{label}。"
        ),
        "licence_number": _licence(licence_number),
        "phone": _phone(phone),
        "weekdays": ",".join(str(day) for day in parse_weekdays(weekdays)),
    }


def _require_unique_licence(hall: Hall, number: str, *, exclude: int | None = None) -> None:
    taken = Lawyer.objects.filter(hall=hall, licence_number=number).exclude(pk=exclude).first()
    if taken is not None:
        raise ServiceError(
            f"执业证号 {number} 已登记为本大厅的接访律师（{taken.name}，{taken.firm}）。",
            field="licence_number",
        )


def _lock_lawyer(lawyer: Lawyer) -> Lawyer:
    try:
        return Lawyer.objects.select_for_update(of=("self",)).select_related("hall__org").get(pk=lawyer.pk)
    except Lawyer.DoesNotExist:
        raise ServiceError("接访律师不存在。", field="lawyer", code="not_found") from None


# ---------------------------------------------------------------- the lawyers


@transaction.atomic
def lawyer_add(
    *,
    actor: User,
    hall: Hall,
    name: str,
    firm: str,
    licence_number: str,
    phone: str = "",
    weekdays: str | Iterable[int] = "3,5",
) -> Lawyer:
    """Put a lawyer on ``hall``'s rota on ``weekdays`` (ISO weekdays, default 每周三、五)."""
    require_hall_staff(actor, hall, doing=DOING_KEEP)
    require_open_hall(hall)
    fields = _lawyer_fields(
        name=name, firm=firm, licence_number=licence_number, phone=phone, weekdays=weekdays
    )
    locked_hall = Hall.objects.select_for_update().get(pk=hall.pk)  # one licence number per hall
    _require_unique_licence(locked_hall, fields["licence_number"])
    return Lawyer.objects.create(hall=locked_hall, **fields)


@transaction.atomic
def lawyer_update(
    *,
    actor: User,
    lawyer: Lawyer,
    name: str,
    firm: str,
    licence_number: str,
    phone: str = "",
    weekdays: str | Iterable[int] = "3,5",
) -> Lawyer:
    """Correct a lawyer's details or change the rota's weekdays (past consultations keep theirs)."""
    locked = _lock_lawyer(lawyer)
    require_hall_staff(actor, locked.hall, doing=DOING_KEEP)
    fields = _lawyer_fields(
        name=name, firm=firm, licence_number=licence_number, phone=phone, weekdays=weekdays
    )
    _require_unique_licence(locked.hall, fields["licence_number"], exclude=locked.pk)
    for key, value in fields.items():
        setattr(locked, key, value)
    locked.save(update_fields=list(fields))
    return locked


@transaction.atomic
def lawyer_deactivate(*, actor: User, lawyer: Lawyer) -> Lawyer:
    """Take a lawyer off the rota; the consultations already given stay counted."""
    locked = _lock_lawyer(lawyer)
    require_hall_staff(actor, locked.hall, doing=DOING_KEEP)
    if not locked.is_active:
        raise InvalidState(f"{locked.name}律师已不在接访名单中。", field="lawyer")
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    return locked


# ---------------------------------------------------------------- a consultation


def _check_at(at: object) -> dt.datetime:
    if not isinstance(at, dt.datetime) or at.tzinfo is None:
        raise ServiceError("请填写咨询时间（年-月-日 时:分）。", field="at")
    moment = now()
    if at > moment:
        raise ServiceError("咨询时间不能晚于现在：请在接访后登记。", field="at")
    if local_date(at) < local_date(moment) - dt.timedelta(days=MAX_DAYS_BACK):
        raise ServiceError(f"只能登记 {MAX_DAYS_BACK} 日以内的律师接访。", field="at")
    return at


def _check_persons(persons: object) -> int:
    if isinstance(persons, bool) or not isinstance(persons, int) or not 1 <= persons <= MAX_PERSONS:
        raise ServiceError(f"接待人次应为 1 至 {MAX_PERSONS} 之间的整数。", field="persons")
    return persons


def _check_ticket(ticket: Ticket | None, hall: Hall) -> Ticket | None:
    if ticket is None:
        return None
    if ticket.hall_id != hall.pk:
        raise ServiceError(f"排队号 {ticket.number} 不是{hall.name}的排队号。", field="ticket")
    return ticket


@transaction.atomic
def lawyer_consultation_record(
    *,
    actor: User,
    lawyer: Lawyer,
    at: dt.datetime,
    persons: int,
    topic: str,
    advice: str,
    category: ContentCategory | None = None,
    legal_aid_referred: bool = False,
    case: Case | None = None,
    ticket: Ticket | None = None,
    off_rota_reason: str = "",
) -> LawyerConsultation:
    """One consultation (one 批次 of ``persons`` 人次) given by ``lawyer`` at its hall at ``at``.

    A day off the lawyer's rota needs ``off_rota_reason``. The case, if given (or the case the
    ticket became), must be one the actor may see, and gets a ``lawyer_consulted`` step."""
    hall = lawyer.hall
    require_hall_staff(actor, hall, doing=DOING_RECORD)
    require_open_hall(hall)
    locked = _lock_lawyer(lawyer)
    if not locked.is_active:
        raise ServiceError(f"{locked.name}律师已不在接访名单中，不能登记其接访。", field="lawyer")
    moment = _check_at(at)
    count = _check_persons(persons)
    topic_text = required_text(
        topic, field="topic", label="咨询事项", max_length=MAX_TOPIC, empty="请填写{label}。"
    )
    advice_text = required_text(
        advice, field="advice", label="法律意见", max_length=MAX_ADVICE, empty="请填写律师给出的{label}。"
    )
    if category is not None and not category.is_active:
        raise ServiceError(f"内容分类“{category.name}”已停用。", field="category")
    reason = optional_text(off_rota_reason)
    weekday = local_date(moment).isoweekday()
    if weekday not in locked.weekday_numbers and not reason:
        raise ServiceError(
            f"{local_date(moment):%Y-%m-%d}（星期{WEEKDAY_NAMES[weekday]}）不是{locked.name}律师的接访日"
            f"（{weekdays_text(locked.weekday_numbers)}），请说明非接访日接访的原因。",
            field="off_rota_reason",
        )
    if len(reason) > MAX_REASON:
        raise ServiceError(f"非接访日说明不能超过 {MAX_REASON} 个字。", field="off_rota_reason")
    checked_ticket = _check_ticket(ticket, hall)
    if case is None and checked_ticket is not None and checked_ticket.case_id is not None:
        case = checked_ticket.case
    if case is not None:
        require_sees(actor, case)

    consultation = LawyerConsultation.objects.create(
        lawyer=locked,
        hall=hall,
        at=moment,
        persons=count,
        category=category,
        topic=topic_text,
        advice=advice_text,
        legal_aid_referred=bool(legal_aid_referred),
        off_rota_reason=reason,
        case=case,
        ticket=checked_ticket,
        recorded_by=actor,
    )
    if case is not None:
        # The lawyer is a professional, not the petitioner: their name may stand in the case's log.
        note_on_case(
            actor=actor,
            org=hall.org,
            case=case,
            kind=EventKind.LAWYER_CONSULTED,
            payload={
                "consultation": consultation.pk,
                "lawyer_name": locked.name,
                "firm": locked.firm,
                "persons": count,
                "topic": topic_text,
                "legal_aid_referred": consultation.legal_aid_referred,
                "note": (
                    f"{locked.name}律师（{locked.firm}）接待 {count} 人次，咨询：{topic_text}"
                    + ("；已引导申请法律援助" if consultation.legal_aid_referred else "")
                ),
            },
        )
    return consultation
