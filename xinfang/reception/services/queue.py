"""The queue at the desk: a number taken (取号), the 诉求单 filled, a call to a window (叫号), the
visitor skipped (过号) or served (接待完毕), and the case registered from the form in one step.

Who may do what:

- take a number, call, skip, finish: the staff who run the hall (``require_hall_staff``);
- fill the 诉求单, register the case: the hall's staff, or the staff of the unit whose window the
  ticket was called to (in a one-stop centre the unit receives the visitor and registers the
  matter itself; the case service checks its registering role there).

The 诉求单 is what the visitor wrote or the clerk took down (第十九条: 口头提出的如实记录); its people
are checked as registration checks petitioners, so the case registered from it is not refused for
what the form already accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q

from xinfang.cases import pii
from xinfang.cases.models import Case, Channel, ContentCategory
from xinfang.cases.services import PetitionerInput, case_register_detailed
from xinfang.cases.services.registration import person_problems
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError, ServiceErrors
from xinfang.core.text import clean_text
from xinfang.core.timeutil import local_date, now
from xinfang.core.validation import (
    MAX_CONTENT,
    MAX_HEADCOUNT,
    MAX_SUBJECT,
    optional_text,
    required_text,
)
from xinfang.orgs.models import Org, OrgKind, Region, User
from xinfang.orgs.permissions import holds_role
from xinfang.reception.models import Hall, StationedUnit, Ticket, TicketPerson, TicketStatus
from xinfang.reception.services._common import (
    STAFF_ROLES,
    may_run_hall,
    require_hall_staff,
    require_open_hall,
)

__all__ = [
    "TICKET_MAX_PEOPLE",
    "may_serve_ticket",
    "ticket_call",
    "ticket_fill_form",
    "ticket_finish",
    "ticket_issue",
    "ticket_person_inputs",
    "ticket_register_case",
    "ticket_registering_org",
    "ticket_skip",
]

# The rows of the 诉求单: one visitor, or the representatives of a group (第二十条: at most five).
TICKET_MAX_PEOPLE = 5
MAX_WINDOW = 32
MAX_UNITS_INVOLVED = 200


class PersonLike(Protocol):
    name: str
    id_number: str
    phone: str
    address: str
    is_representative: bool


@dataclass(frozen=True)
class _Person:
    name: str
    id_number: str
    phone: str
    address: str
    is_representative: bool


# ---------------------------------------------------------------- who may act on a ticket


def may_serve_ticket(actor: User, ticket: Ticket) -> bool:
    """The hall's staff, or the staff of the unit whose window the ticket was called to."""
    if may_run_hall(actor, ticket.hall):
        return True
    window_org = ticket.window_org
    return window_org is not None and holds_role(actor, window_org, STAFF_ROLES)


def _require_serves(actor: User, ticket: Ticket, *, doing: str) -> None:
    if not may_serve_ticket(actor, ticket):
        raise NotAllowed(f"只有{ticket.hall.org.name}或接待单位的工作人员可以{doing}。", field="ticket")


def stationed_unit(hall: Hall, org: Org, on: dt.date) -> StationedUnit | None:
    """``org``'s station in ``hall`` on ``on`` (from ``since`` through ``until``), or None."""
    return (
        StationedUnit.objects.filter(hall=hall, org=org, since__lte=on)
        .filter(Q(until__isnull=True) | Q(until__gte=on))
        .first()
    )


def _lock_hall(hall: Hall) -> Hall:
    try:
        return Hall.objects.select_for_update(of=("self",)).select_related("org").get(pk=hall.pk)
    except Hall.DoesNotExist:
        raise ServiceError("接访大厅不存在。", field="hall", code="not_found") from None


def _lock_ticket(ticket: Ticket) -> Ticket:
    try:
        return (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("hall", "hall__org", "window_org", "category", "problem_region")
            .get(pk=ticket.pk)
        )
    except Ticket.DoesNotExist:
        raise ServiceError("排队号不存在。", field="ticket", code="not_found") from None


def _headcount(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_HEADCOUNT:
        raise ServiceError(f"来访人数应为 1 至 {MAX_HEADCOUNT} 之间的整数。", field="headcount")
    return value


# ---------------------------------------------------------------- 取号


@transaction.atomic
def ticket_issue(*, actor: User, hall: Hall, headcount: int = 1) -> Ticket:
    """The next number of the Beijing day at ``hall``: its prefix and three digits (A001, A002 …).

    The hall's row is locked while the serial is read and written, so two desks issuing at once
    get consecutive numbers (the unique (hall, day, serial) constraint is the last guard)."""
    require_hall_staff(actor, hall, doing="取号")
    locked = _lock_hall(hall)
    require_open_hall(locked)
    count = _headcount(headcount)
    moment = now()
    day = local_date(moment)
    last = Ticket.objects.filter(hall=locked, day=day).aggregate(last=Max("serial"))["last"] or 0
    serial = last + 1
    return Ticket.objects.create(
        hall=locked,
        day=day,
        serial=serial,
        number=f"{locked.ticket_prefix}{serial:03d}",
        headcount=count,
        issued_at=moment,
        issued_by=actor,
    )


# ---------------------------------------------------------------- 诉求单


def _person(entry: Any) -> _Person:
    def text(name: str) -> str:
        value = getattr(entry, name, "")
        return clean_text(value if isinstance(value, str) else "").strip()

    return _Person(
        name=text("name"),
        id_number=text("id_number"),
        phone=text("phone"),
        address=text("address"),
        is_representative=bool(getattr(entry, "is_representative", False)),
    )


def _check_people(people: Sequence[Any], *, headcount: int) -> list[_Person]:
    """The people of the form, checked like registration's petitioners (every row's faults at
    once); a group's are its representatives (第二十条)."""
    found = [_person(entry) for entry in people]
    if not found:
        raise ServiceError("请至少填写一名来访人的姓名。", field="people")
    if len(found) > TICKET_MAX_PEOPLE:
        raise ServiceError(
            f"诉求单至多填写 {TICKET_MAX_PEOPLE} 名来访人；多人来访请填写推选的代表。", field="people"
        )
    if len(found) > headcount:
        raise ServiceError(
            f"填写了 {len(found)} 名来访人，多于来访人数 {headcount}：请核对人数。", field="people"
        )
    collective = headcount >= settings.XINFANG_COLLECTIVE_THRESHOLD
    if collective:
        # A group visit elects representatives (第二十条): those named on its form are they.
        found = [_Person(p.name, p.id_number, p.phone, p.address, is_representative=True) for p in found]
    limit = settings.XINFANG_MAX_REPRESENTATIVES
    representatives = sum(1 for p in found if p.is_representative)
    if representatives > limit:
        raise ServiceError(
            f"多人来访应推选代表，代表人数不得超过 {limit} 人（现为 {representatives} 人，第二十条）。",
            field="people",
        )
    today = local_date()
    problems = [
        exc
        for index, person in enumerate(found)
        for exc in person_problems(person, today, where=f"people[{index}]", label="来访人")
    ]
    if problems:
        raise ServiceErrors(problems)
    return found


@transaction.atomic
def ticket_fill_form(
    *,
    actor: User,
    ticket: Ticket,
    people: Sequence[PersonLike | PetitionerInput],
    subject: str,
    request: str,
    facts: str = "",
    category: ContentCategory | None = None,
    problem_region: Region | None = None,
    units_involved: str = "",
) -> Ticket:
    """Fill (or fill again) the 诉求单 of ``ticket``: its people replace those written before.
    Allowed until a case is registered from it; the case then holds what was registered."""
    locked = _lock_ticket(ticket)
    _require_serves(actor, locked, doing="填写诉求单")
    if locked.case_id is not None:
        raise InvalidState("已据此诉求单登记信访件，不能再修改诉求单。", field="ticket")
    checked = _check_people(people, headcount=locked.headcount)
    subject_text = required_text(
        subject, field="subject", label="诉求事项", max_length=MAX_SUBJECT, empty="请填写{label}。"
    )
    request_text = required_text(
        request, field="request", label="具体诉求", max_length=MAX_CONTENT, empty="请填写{label}。"
    )
    facts_text = optional_text(facts)
    if len(facts_text) > MAX_CONTENT:
        raise ServiceError(f"事实和理由不能超过 {MAX_CONTENT} 个字。", field="facts")
    if category is not None and not category.is_active:
        raise ServiceError(f"内容分类“{category.name}”已停用。", field="category")
    units_text = optional_text(units_involved)
    if len(units_text) > MAX_UNITS_INVOLVED:
        raise ServiceError(f"涉及单位不能超过 {MAX_UNITS_INVOLVED} 个字。", field="units_involved")

    locked.people.all().delete()
    TicketPerson.objects.bulk_create(
        [
            TicketPerson(
                ticket=locked,
                name_enc=pii.encrypt(person.name),
                id_number_enc=pii.encrypt(pii.normalise(person.id_number)),
                phone_enc=pii.encrypt(pii.normalise(person.phone)),
                address=person.address,
                is_representative=person.is_representative,
            )
            for person in checked
        ]
    )
    locked.subject, locked.request, locked.facts = subject_text, request_text, facts_text
    locked.category, locked.problem_region, locked.units_involved = category, problem_region, units_text
    locked.form_filled_at = now()
    locked.save(
        update_fields=[
            "subject",
            "request",
            "facts",
            "category",
            "problem_region",
            "units_involved",
            "form_filled_at",
        ]
    )
    return locked


def ticket_person_inputs(ticket: Ticket) -> list[PetitionerInput]:
    """The ticket's people, decrypted, as the registration's petitioners."""
    return [
        PetitionerInput(
            name=person.name,
            id_number=person.id_number,
            phone=person.phone,
            address=person.address,
            is_representative=person.is_representative,
        )
        for person in ticket.people.order_by("pk")
    ]


# ---------------------------------------------------------------- 叫号、过号、接待完毕


@transaction.atomic
def ticket_call(*, actor: User, ticket: Ticket, window: str = "", window_org: Org | None = None) -> Ticket:
    """Call ``ticket`` to a window; calling it again sends it to another window. The first call
    ends the wait (``called_at``).

    In a one-stop centre (信访超市) the centre routes inside itself: the ticket goes to the window
    of a unit stationed there today (``window_org``), which receives the visitor and registers the
    matter. In a bureau's hall the unit is optional (a stationed unit's window, or the bureau's)."""
    locked = _lock_ticket(ticket)
    hall = locked.hall
    require_hall_staff(actor, hall, doing="叫号")
    require_open_hall(hall)
    if locked.case_id is not None or locked.status == TicketStatus.SERVED:
        raise InvalidState(f"{locked.number} 已接待完毕，不能再叫号。", field="ticket")
    if locked.status == TicketStatus.LEFT:
        raise InvalidState(f"{locked.number} 已过号，请来访人重新取号。", field="ticket")
    today = local_date()
    if locked.day != today:
        raise InvalidState(f"{locked.number} 是 {locked.day:%Y-%m-%d} 的号，只能叫当天的号。", field="ticket")
    station = None
    if window_org is not None:
        station = stationed_unit(hall, window_org, today)
        if station is None:
            raise ServiceError(
                f"{window_org.name}今天未在{hall.name}驻厅，不能叫号到该单位窗口。", field="window_org"
            )
    elif hall.org.kind == OrgKind.ONE_STOP_CENTRE:
        raise ServiceError(
            f"{hall.name}是综合服务中心的大厅，请选择接待的驻厅单位（由该单位受理登记）。",
            field="window_org",
        )
    window_text = optional_text(window) or (station.window if station else "")
    if not window_text:
        raise ServiceError("请填写窗口。", field="window")
    if len(window_text) > MAX_WINDOW:
        raise ServiceError(f"窗口不能超过 {MAX_WINDOW} 个字。", field="window")
    locked.window, locked.window_org = window_text, window_org
    locked.status = TicketStatus.CALLED
    if locked.called_at is None:
        locked.called_at = now()
    locked.save(update_fields=["window", "window_org", "status", "called_at"])
    return locked


@transaction.atomic
def ticket_skip(*, actor: User, ticket: Ticket) -> Ticket:
    """过号: the visitor did not come when called (or left); a returning visitor takes a new number."""
    locked = _lock_ticket(ticket)
    require_hall_staff(actor, locked.hall, doing="过号")
    if locked.status not in (TicketStatus.WAITING, TicketStatus.CALLED):
        raise InvalidState(
            f"{locked.number} 的状态为“{locked.get_status_display()}”，不能过号。", field="ticket"
        )
    locked.status = TicketStatus.LEFT
    locked.save(update_fields=["status"])
    return locked


@transaction.atomic
def ticket_finish(*, actor: User, ticket: Ticket) -> Ticket:
    """接待完毕: the visitor called to a window has been received."""
    locked = _lock_ticket(ticket)
    _require_serves(actor, locked, doing="结束接待")
    if locked.status != TicketStatus.CALLED:
        message = (
            f"{locked.number} 尚未叫号，请先叫号。"
            if locked.status == TicketStatus.WAITING
            else f"{locked.number} 的状态为“{locked.get_status_display()}”，不能结束接待。"
        )
        raise InvalidState(message, field="ticket")
    locked.status, locked.served_at = TicketStatus.SERVED, now()
    locked.save(update_fields=["status", "served_at"])
    return locked


# ---------------------------------------------------------------- 登记为信访件


def ticket_registering_org(ticket: Ticket) -> Org:
    """Where the case from ``ticket`` is registered: the hall's petition bureau; in any other hall
    (a one-stop centre) the unit whose window received the visitor."""
    hall_org = ticket.hall.org
    if hall_org.is_petition_bureau:
        return hall_org
    if ticket.window_org is not None:
        return ticket.window_org
    if hall_org.kind == OrgKind.ONE_STOP_CENTRE:
        raise ServiceError(
            "综合服务中心的来访由接待的驻厅单位登记：请先叫号到该单位的窗口。", field="window_org"
        )
    return hall_org


@transaction.atomic
def ticket_register_case(
    *,
    actor: User,
    ticket: Ticket,
    nature: str,
    category: ContentCategory | None = None,
    subject: str | None = None,
    content: str | None = None,
    problem_region: Region | None = None,
    via_proper_ladder: bool = True,
    accused_person: str = "",
    accused_org: Org | None = None,
    forward_to: Org | None = None,
    suggestion: dict[str, object] | None = None,
) -> Case:
    """Register the matter of the 诉求单 as a case (channel 来访) in one step, with the ticket's
    people as petitioners and its headcount; what is not given is taken from the form (subject;
    content = request and facts; category; problem region). The ticket is linked to the case and
    marked served; a ticket is registered once."""
    locked = _lock_ticket(ticket)
    _require_serves(actor, locked, doing="登记信访件")
    if locked.case_id is not None:
        raise InvalidState(f"{locked.number} 已登记为信访件，不能重复登记。", field="ticket")
    if locked.status == TicketStatus.LEFT:
        raise InvalidState(f"{locked.number} 已过号，不能登记。", field="ticket")
    if locked.form_filled_at is None:
        raise InvalidState("请先填写诉求单，再登记为信访件。", field="ticket")
    org = ticket_registering_org(locked)
    category = category or locked.category
    if category is None:
        raise ServiceError("请选择内容分类。", field="category")
    region = problem_region or locked.problem_region
    if region is None:
        raise ServiceError("请选择问题属地。", field="problem_region")
    if subject is None:
        subject = locked.subject
    if content is None:
        content = "\n".join(part for part in (locked.request, locked.facts) if part)
    registration = case_register_detailed(
        actor=actor,
        org=org,
        channel=Channel.VISIT,
        nature=nature,
        category=category,
        subject=subject,
        content=content,
        problem_region=region,
        petitioners=ticket_person_inputs(locked),
        received_on=locked.day,
        headcount=locked.headcount,
        via_proper_ladder=via_proper_ladder,
        accused_person=accused_person,
        accused_org=accused_org,
        forward_to=forward_to,
        suggestion=suggestion,
    )
    locked.case = registration.case
    locked.status = TicketStatus.SERVED
    locked.served_at = locked.served_at or now()
    locked.save(update_fields=["case", "status", "served_at"])
    return registration.case
