"""Reads of the queue at the desk: the halls a user may see and run, the day's queue board with its
wait times, one ticket for a user, and the people of a 诉求单.

The board is shown to whoever sees the hall (``halls_visible_to``: its staff and the stationed
units' staff), with the visitors' names masked. A ticket itself (its 诉求单 with the names, ID
numbers and phones) is shown only to who may act on it: the hall's staff, or the staff of the
unit whose window it was called to (``services.queue.may_serve_ticket``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from xinfang.cases import pii
from xinfang.cases.privacy import PetitionerView
from xinfang.core.timeutil import local_date, now
from xinfang.orgs.models import User
from xinfang.orgs.selectors import user_memberships
from xinfang.reception.models import Hall, StationedUnit, Ticket, TicketPerson, TicketStatus
from xinfang.reception.selectors import halls_visible_to
from xinfang.reception.services._common import STAFF_ROLES, may_run_hall
from xinfang.reception.services.queue import may_serve_ticket

__all__ = [
    "QueueBoard",
    "hall_for",
    "hall_queue",
    "halls_run_by",
    "stationed_units_on",
    "ticket_for",
    "ticket_people",
    "tickets_served_by",
]


def hall_for(user: User, hall_id: int) -> Hall | None:
    """The hall ``hall_id`` if ``user`` sees it, else None."""
    return halls_visible_to(user).filter(pk=hall_id).first()


def halls_run_by(user: User) -> list[Hall]:
    """The active halls ``user`` may run (take numbers, call, convene a joint reception)."""
    return [hall for hall in halls_visible_to(user).filter(is_active=True) if may_run_hall(user, hall)]


def stationed_units_on(hall: Hall, on: dt.date | None = None) -> list[StationedUnit]:
    """The units stationed in ``hall`` on ``on`` (default today), by window."""
    on = on or local_date()
    units = hall.units.select_related("org").filter(since__lte=on).order_by("window", "pk")
    return [unit for unit in units if unit.until is None or unit.until >= on]


@dataclass
class QueueBoard:
    """The day's queue of a hall, each list in the order of the numbers. Every ticket carries
    ``wait`` (a timedelta: until called, or until now while waiting) and ``first_name_masked``."""

    hall: Hall
    day: dt.date
    waiting: list[Ticket] = field(default_factory=list)
    called: list[Ticket] = field(default_factory=list)
    served: list[Ticket] = field(default_factory=list)
    left: list[Ticket] = field(default_factory=list)

    @property
    def issued(self) -> int:
        return len(self.waiting) + len(self.called) + len(self.served) + len(self.left)

    @property
    def average_wait_minutes(self) -> int | None:
        """The mean wait of the tickets called so far, in whole minutes (None before the first)."""
        waits = [t.waited for t in (*self.called, *self.served) if t.waited is not None]
        if not waits:
            return None
        return round(sum(w.total_seconds() for w in waits) / len(waits) / 60)


def hall_queue(hall: Hall, *, day: dt.date | None = None) -> QueueBoard:
    day = day or local_date()
    moment = now()
    board = QueueBoard(hall=hall, day=day)
    tickets = (
        Ticket.objects.filter(hall=hall, day=day)
        .select_related("window_org", "case")
        .prefetch_related(Prefetch("people", queryset=TicketPerson.objects.order_by("pk")))
        .order_by("serial")
    )
    lists = {
        TicketStatus.WAITING: board.waiting,
        TicketStatus.CALLED: board.called,
        TicketStatus.SERVED: board.served,
        TicketStatus.LEFT: board.left,
    }
    for ticket in tickets:
        # Waiting: the wait so far; called: the wait until the first call; otherwise none recorded.
        wait = ticket.waited or (moment - ticket.issued_at if ticket.status == TicketStatus.WAITING else None)
        ticket.wait = wait  # type: ignore[attr-defined]
        ticket.wait_minutes = int(wait.total_seconds() // 60) if wait is not None else None  # type: ignore[attr-defined]
        people = list(ticket.people.all())
        ticket.first_name_masked = pii.mask_name(people[0].name) if people else ""  # type: ignore[attr-defined]
        lists[TicketStatus(ticket.status)].append(ticket)
    return board


def _ticket_rows() -> QuerySet[Ticket]:
    return Ticket.objects.select_related(
        "hall", "hall__org", "window_org", "category", "problem_region", "case", "issued_by"
    )


def ticket_for(user: User, ticket_id: int, *, hall: Hall | None = None) -> Ticket | None:
    """The ticket ``ticket_id`` (of ``hall`` when given) if ``user`` may act on it, else None."""
    if not user.is_authenticated or user.is_citizen:
        return None
    rows = _ticket_rows().filter(pk=ticket_id, hall__in=halls_visible_to(user))
    if hall is not None:
        rows = rows.filter(hall=hall)
    ticket = rows.first()
    if ticket is None or not may_serve_ticket(user, ticket):
        return None
    return ticket


def tickets_served_by(user: User, hall: Hall) -> set[int]:
    """The ids of the day's tickets of ``hall`` that ``user`` may open (for the board's links)."""
    if may_run_hall(user, hall):
        return set(Ticket.objects.filter(hall=hall, day=local_date()).values_list("pk", flat=True))
    orgs = user_memberships(user).filter(role__in=STAFF_ROLES).values("org")
    return set(
        Ticket.objects.filter(hall=hall, day=local_date(), window_org__in=orgs).values_list("pk", flat=True)
    )


def ticket_people(ticket: Ticket) -> list[PetitionerView]:
    """The people of the 诉求单, decrypted: for the ticket's own page and the printed form, which
    only who may act on the ticket opens (``ticket_for``)."""
    return [
        PetitionerView(
            name=person.name,
            id_number=person.id_number,
            phone=person.phone,
            address=person.address,
            is_representative=person.is_representative,
            masked=False,
        )
        for person in ticket.people.order_by("pk")
    ]
