"""The clock next due is stored beside the next due moment, as the services move the case on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from xinfang.cases import services
from xinfang.cases.clocks import clocks_of_cases, due_moment, next_due_clock, store_next_due_at
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import a_reply, register, reply_approved
from xinfang.deadlines.clocks import Clock, next_due_clocks
from xinfang.deadlines.profiles import DeadlineRule
from xinfang.testing.world import World

D = dt.date
Freeze = Callable[[str], dt.datetime]


def _stored(case: Case) -> tuple[dt.date | None, str]:
    case.refresh_from_db()
    derived = clocks_of_cases([Case.objects.select_related("problem_region").get(pk=case.pk)])
    assert (derived[0].next_due_at, derived[0].next_due_clock) == (case.next_due_at, case.next_due_clock)
    return case.next_due_on, case.next_due_clock


def test_the_stored_clock_follows_the_workflow(world: World, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    case = register(world)
    assert _stored(case) == (D(2025, 3, 18), "route")  # 15 days
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    # the unit's 5-working-day window to object comes before the 15-day duty to accept
    assert _stored(case) == (D(2025, 3, 10), "object")
    freeze("2025-03-05 10:00")
    case = services.case_accept(actor=world.handler, case=case)
    assert _stored(case) == (D(2025, 5, 6), "handle")  # 60 days, past the May Day holiday
    freeze("2025-04-01 10:00")
    case = reply_approved(actor=world.handler, case=case, reply=a_reply())
    assert _stored(case) == (None, "")  # nothing open until the reply is served
    case = services.case_deliver(actor=world.handler, case=case, method="in_person")
    # delivery opens the petitioner's windows: rating (7 days) before 复查 (30 days)
    assert _stored(case) == (D(2025, 4, 8), "rating")


def test_a_recomputed_moment_without_its_clock_is_stored_as_not_known(world: World, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    case = register(world)
    assert store_next_due_at(case, due_moment(D(2025, 3, 20)))
    case.refresh_from_db()
    assert (case.next_due_on, case.next_due_clock) == (D(2025, 3, 20), "")
    assert not store_next_due_at(case, due_moment(D(2025, 3, 20)))  # nothing to change


def _clock(name: str, kind: str, due_on: D, state: str = "running") -> Clock:
    rule = DeadlineRule(
        clock=name,
        start_events=("registered",),
        end_events=("accepted",),
        length=5,
        unit="calendar",
        legal_ref="《信访工作条例》",
        kind=kind,  # type: ignore[arg-type]
    )
    return Clock(name=name, state=state, rule=rule, started_on=D(2025, 3, 1), due_on=due_on)  # type: ignore[arg-type]


def test_a_duty_is_named_before_a_window_due_the_same_day_and_two_open_duties_are_not_known() -> None:
    window, duty = _clock("object", "window", D(2025, 3, 10)), _clock("accept", "duty", D(2025, 3, 10))
    assert [c.name for c in next_due_clocks([window, duty])] == ["accept", "object"]
    assert next_due_clock([window, duty]) == "accept"
    assert next_due_clock([_clock("object", "window", D(2025, 3, 9)), duty]) == "object"
    assert next_due_clock([duty, _clock("route", "duty", D(2025, 3, 20))]) == ""
    assert next_due_clock([duty, _clock("route", "duty", D(2025, 3, 2), state="met")]) == "accept"
    assert next_due_clock([]) == ""
