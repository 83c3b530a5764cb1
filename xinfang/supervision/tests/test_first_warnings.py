"""The 期限预警 list's rows: each visible flagged case once, by its earliest open warning, soonest first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register
from xinfang.core.timeutil import local_midnight
from xinfang.supervision.models import DueWarning
from xinfang.supervision.selectors import first_warnings
from xinfang.testing.world import World

pytestmark = pytest.mark.django_db


def _warn(
    case: Case, clock: str, due_on: dt.date, *, kind: str = "overdue", resolved: bool = False
) -> DueWarning:
    due_at = local_midnight(due_on + dt.timedelta(days=1))
    return DueWarning.objects.create(
        case=case,
        clock=clock,
        kind=kind,
        due_on=due_on,
        due_at=due_at,
        org=case.current_org,
        created_at=due_at,
        resolved_at=due_at if resolved else None,
    )


def test_each_case_once_by_its_earliest_open_warning_in_due_order(world: World) -> None:
    first, second, third = (register(world, subject=f"测试事项{n}") for n in range(3))
    _warn(first, "handle", dt.date(2025, 3, 20))
    _warn(first, "route", dt.date(2025, 3, 5))  # first's earliest
    _warn(second, "route", dt.date(2025, 3, 10))
    _warn(second, "accept", dt.date(2025, 3, 1), resolved=True)  # resolved: not counted
    _warn(third, "route", dt.date(2025, 3, 1), kind="due_soon")  # another kind
    rows = list(first_warnings(world.registrar, "overdue"))
    assert [(w.case_id, w.clock, w.due_on) for w in rows] == [
        (first.pk, "route", dt.date(2025, 3, 5)),
        (second.pk, "route", dt.date(2025, 3, 10)),
    ]
    assert [w.case_id for w in first_warnings(world.registrar, "due_soon")] == [third.pk]


def test_two_clocks_due_the_same_day_still_give_one_row(world: World) -> None:
    case = register(world)
    _warn(case, "route", dt.date(2025, 3, 5))
    _warn(case, "handle", dt.date(2025, 3, 5))
    rows = list(first_warnings(world.registrar, "overdue"))
    assert [(w.case_id, w.clock) for w in rows] == [(case.pk, "handle")]  # the tie goes by clock name


def test_only_cases_the_user_sees_and_of_the_chosen_unit(world: World) -> None:
    case = register(world)
    _warn(case, "route", dt.date(2025, 3, 5))
    assert list(first_warnings(world.other_clerk, "overdue")) == []
    assert [w.case_id for w in first_warnings(world.registrar, "overdue", org=case.current_org)] == [case.pk]
    assert list(first_warnings(world.registrar, "overdue", org=world.city_housing)) == []


def test_the_page_pages_by_warning_and_shows_the_first_clock(world: World) -> None:
    cases = [register(world, subject=f"分页事项{n}") for n in range(3)]
    for n, case in enumerate(cases):
        _warn(case, "route", dt.date(2025, 3, 1 + n))
        _warn(case, "handle", dt.date(2025, 4, 1 + n))
    client = Client()
    client.force_login(world.registrar)
    page = client.get("/deadlines/").content.decode()
    assert all(page.count(case.number) == 1 for case in cases)
    assert page.index(cases[0].number) < page.index(cases[1].number) < page.index(cases[2].number)
    assert "2025-03-01" in page and "2025-04-01" not in page
