"""Forms that cannot mislead: no verdict is preselected, a poor rating says why, and the unit being
rated never records its own rating."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from xinfang.cases import services
from xinfang.cases.models import Case, Rating
from xinfang.cases.tests.helpers import to_delivered
from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import World


def _act(client: Client, case: Case, action: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(f"/cases/{case.pk}/act/{action}/", data or {})


def _selected(html: str, name: str) -> list[str]:
    """What a browser shows chosen in the <select name=...>: the options marked selected, else the
    first option (a browser selects it when none is marked)."""
    match = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert match, f"no select {name}"
    marked = re.findall(r'<option value="([^"]*)"[^>]*selected', match.group(0))
    return marked or re.findall(r'<option value="([^"]*)"', match.group(0))[:1]


def test_the_rating_form_opens_with_nothing_chosen(world: World) -> None:
    case = to_delivered(world)
    html = _client(world.registrar).get(f"/cases/{case.pk}/act/rate/").content.decode()
    assert _selected(html, "track") == [""] and _selected(html, "value") == [""]


def test_submitting_the_rating_form_empty_is_an_error_on_each_field(world: World) -> None:
    case = to_delivered(world)
    response = _act(_client(world.registrar), case, "rate", {})
    html = response.content.decode()
    assert response.status_code == 200
    assert "请选择评价对象。" in html and "请选择评价结果。" in html
    assert not Rating.objects.exists()


@pytest.mark.parametrize("value", ["dissatisfied", "basically"])
def test_a_poor_rating_needs_a_reason(world: World, value: str) -> None:
    case = to_delivered(world)
    html = _act(_client(world.registrar), case, "rate", {"track": "unit", "value": value}).content.decode()
    assert "请记录信访人的理由" in html
    assert not Rating.objects.exists()
    with pytest.raises(ServiceError) as caught:
        services.case_rate(actor=world.registrar, case=case, track="unit", value=value, reason=" ")
    assert caught.value.field == "reason"


def test_the_reason_is_kept_on_the_rating_and_in_the_event_and_shown_on_the_case(world: World) -> None:
    case = to_delivered(world)
    services.case_rate(
        actor=world.registrar, case=case, track="unit", value="dissatisfied", reason="维修太慢"
    )
    rating = case.ratings.get()
    assert rating.reason == "维修太慢" and rating.org == world.city_housing
    event = case.events.get(kind="rated")
    assert event.payload["reason"] == "维修太慢" and event.payload["value_name"] == "不满意"
    html = _client(world.registrar).get(f"/cases/{case.pk}/").content.decode()
    ratings = re.search(r'<section class="card ratings".*?</section>', html, re.S)
    assert ratings, "the case page shows no ratings"
    assert "责任单位" in ratings.group(0) and "不满意" in ratings.group(0) and "维修太慢" in ratings.group(0)


def test_the_rated_unit_cannot_record_its_own_rating(world: World) -> None:
    case = to_delivered(world)
    with pytest.raises(NotAllowed, match="被评价的责任单位"):
        services.case_rate(actor=world.handler, case=case, track="unit", value="satisfied")
    with pytest.raises(NotAllowed, match="被评价的责任单位"):
        services.case_rate(actor=world.approver, case=case, track="bureau", value="satisfied")
    # Staff of an uninvolved unit are not the 信访部门 either.
    with pytest.raises(NotAllowed, match="回访"):
        services.case_rate(actor=world.other_clerk, case=case, track="bureau", value="satisfied")
    assert not Rating.objects.exists()
    # The page offers no 满意度评价 button to the rated unit.
    html = _client(world.handler).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="rate"' not in html


def test_the_bureau_records_the_callback_and_the_petitioner_rates_themself(world: World) -> None:
    case = to_delivered(world)
    services.case_rate(actor=world.bureau_head, case=case, track="bureau", value="satisfied")
    Case.objects.filter(pk=case.pk).update(citizen=world.citizen)
    case.refresh_from_db()
    services.case_rate(actor=world.citizen, case=case, track="unit", value="basically", reason="基本解决")
    assert sorted(case.ratings.values_list("track", flat=True)) == ["bureau", "unit"]


@pytest.mark.parametrize("action", ["review_decide", "rereview_decide"])
def test_the_review_outcome_has_no_default(world: World, action: str) -> None:
    from xinfang.cases.vocabulary import Action
    from xinfang.workbench.forms_actions import ACTION_FORMS

    form_class = ACTION_FORMS[Action(action)]
    case = to_delivered(world)
    form = form_class(user=world.leader, case=case)
    assert form["outcome"].value() in (None, "")
    assert form.fields["outcome"].choices[0] == ("", "请选择")
    bound = form_class({"opinion": "维持"}, user=world.leader, case=case)
    assert not bound.is_valid()
    assert bound.errors["outcome"] == ["请选择意见（维持、撤销、变更或责令重新办理）。"]


def test_the_review_decision_page_requires_a_choice(world: World) -> None:
    case = to_delivered(world)
    case = services.case_review_request(actor=world.leader, case=case, reasons="不服")
    client = _client(world.leader)
    html = client.get(f"/cases/{case.pk}/act/review_decide/").content.decode()
    assert _selected(html, "outcome") == [""]
    response = _act(client, case, "review_decide", {"opinion": "维持原处理意见"})
    assert response.status_code == 200 and "请选择意见" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "reviewing"
