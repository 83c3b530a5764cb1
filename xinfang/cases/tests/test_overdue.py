""" "Overdue" has one meaning: an organ's duty clock past its due moment, never a petitioner's window.

The case list, the case page, the API filter and the row's flag all read `clocks.overdue_q` (or
`is_overdue`, its form for a case in hand), and agree with the sweep's overdue flags (期限预警).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client

from xinfang.api.tests.conftest import Api
from xinfang.api.tokens import api_token_create
from xinfang.cases import services
from xinfang.cases.clocks import is_overdue, overdue_q
from xinfang.cases.models import Case
from xinfang.cases.selectors import cases_filtered
from xinfang.cases.tests.helpers import a_reply, register, reply_approved, to_accepted, to_delivered
from xinfang.core.timeutil import now
from xinfang.orgs.models import User
from xinfang.supervision.models import DueWarning
from xinfang.supervision.sweep import sweep
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]


def _review_window_passed(world: World, freeze: Freeze) -> Case:
    """Replied, served and rated; the petitioner let the 30 days to ask for 复查 pass."""
    freeze("2026-03-02 09:00")
    case = to_delivered(world)
    case = services.case_rate(actor=world.registrar, case=case, track="bureau", value="satisfied")
    case = services.case_rate(actor=world.registrar, case=case, track="unit", value="satisfied")
    case.refresh_from_db()
    assert case.next_due_clock == "review_request"
    freeze("2026-04-10 09:00")
    assert case.next_due_at is not None and case.next_due_at < now()  # the window's end has passed
    return case


def _handling_late(world: World, freeze: Freeze) -> Case:
    """Accepted, and the 60 days to reply have passed without a reply."""
    freeze("2026-01-05 09:00")
    case = to_accepted(world)
    assert case.next_due_clock == "handle"
    freeze("2026-04-10 09:00")
    return case


def _page(user: User, path: str) -> str:
    client = Client()
    client.force_login(user)
    return client.get(path).content.decode()


def _api(user: User) -> Api:
    return Api(api_token_create(user=user, name="测试")[1])


def _ids(api: Api, **params: str) -> list[int]:
    response = api.get("/cases", **params)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_a_passed_review_window_is_no_organ_being_late(world: World, freeze: Freeze) -> None:
    case = _review_window_passed(world, freeze)
    assert not case.is_overdue
    assert not Case.objects.filter(overdue_q(now())).exists()
    assert list(cases_filtered(world.registrar, overdue=False)) == [case]
    listed = _page(world.registrar, "/cases/?overdue=1")
    assert case.number not in listed
    assert 'class="overdue"' not in _page(world.registrar, "/cases/")
    assert "（已超期）" not in _page(world.registrar, f"/cases/{case.pk}/")
    api = _api(world.registrar)
    assert _ids(api, overdue="true") == [] and _ids(api, overdue="false") == [case.pk]
    assert api.get(f"/cases/{case.pk}").json()["overdue"] is False
    sweep(at=now())
    assert not DueWarning.objects.filter(case=case, kind=DueWarning.Kind.OVERDUE).exists()


def test_a_handle_clock_past_due_is_overdue_everywhere(world: World, freeze: Freeze) -> None:
    late = _handling_late(world, freeze)
    assert late.is_overdue
    assert list(cases_filtered(world.registrar, overdue=True)) == [late]
    listed = _page(world.registrar, "/cases/?overdue=1")
    assert late.number in listed and 'class="overdue"' in listed
    assert "（已超期）" in _page(world.registrar, f"/cases/{late.pk}/")
    api = _api(world.registrar)
    assert _ids(api, overdue="true") == [late.pk] and _ids(api, overdue="false") == []
    assert api.get(f"/cases/{late.pk}").json()["overdue"] is True
    sweep(at=now())  # the sweep flags the same clock
    assert DueWarning.objects.filter(case=late, clock="handle", kind=DueWarning.Kind.OVERDUE).exists()


def test_a_case_with_several_duties_open_is_overdue_when_the_one_due_passed(
    world: World, freeze: Freeze
) -> None:
    # Blank: a duty was due next while several were open (see clocks.next_due_clock).
    freeze("2026-03-02 09:00")
    case = register(world)
    Case.objects.filter(pk=case.pk).update(next_due_clock="")
    case.refresh_from_db()
    assert not case.is_overdue
    freeze("2026-04-10 09:00")
    assert case.is_overdue and list(cases_filtered(world.registrar, overdue=True)) == [case]


def test_the_condition_and_the_case_in_hand_agree(world: World, freeze: Freeze) -> None:
    passed, late = _review_window_passed(world, freeze), _handling_late(world, freeze)
    fresh = register(world)
    replied = reply_approved(actor=world.handler, case=to_accepted(world), reply=a_reply())
    assert replied.next_due_at is None  # nothing due until the reply is served
    at = now()
    flagged = set(Case.objects.filter(overdue_q(at)).values_list("pk", flat=True))
    assert flagged == {c.pk for c in (passed, late, fresh, replied) if is_overdue(c, at)} == {late.pk}
    not_late = set(cases_filtered(world.registrar, overdue=False).values_list("pk", flat=True))
    assert not_late == {passed.pk, fresh.pk, replied.pk}
