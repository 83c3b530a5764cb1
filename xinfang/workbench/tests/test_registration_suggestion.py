"""The suggestions made at registration (category, responsible unit): recorded with the registration,
shown on the case page beside what was chosen, and the suggested unit preselected for routing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from xinfang.cases import services
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.tests.helpers import register
from xinfang.orgs.models import Org
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import World
from xinfang.textintel.tests.test_intake import _page_data
from xinfang.textintel.tests.test_routing_hint import _history

SUGGESTED = {"suggested_category": "城乡建设", "confidence": 0.8712}


def _registered_suggestion(case: Case) -> Any:
    return CaseEvent.objects.get(case=case, kind="registered").payload.get("suggestion")


def _register_on_the_page(world: World, **hidden: str) -> Case:
    response = _client(world.registrar).post("/cases/new/", _page_data(world, category="030100", **hidden))
    assert response.status_code == 302, response.content.decode()
    case = Case.objects.order_by("-pk").first()
    assert case is not None
    return case


# ---------------------------------------------------------------- recorded with the registration


def test_the_page_records_both_suggestions_in_the_registered_event(world: World) -> None:
    case = _register_on_the_page(
        world,
        suggested_category="城乡建设",
        suggested_confidence="0.8712",
        suggested_unit=str(world.city_housing.pk),
        suggested_unit_count="9",
        suggested_unit_total="12",
    )
    payload = CaseEvent.objects.get(case=case, kind="registered").payload
    assert payload["category"] == "030100"  # the choice, beside the suggestion
    assert payload["suggestion"] == {
        "suggested_category": "城乡建设",
        "confidence": 0.8712,
        "suggested_unit": world.city_housing.pk,
        "suggested_unit_name": "示例市住房和城乡建设局",
        "suggested_unit_basis": "过去同类 12 件中 9 件",
    }


def test_a_unit_suggestion_alone_is_recorded(world: World) -> None:
    case = _register_on_the_page(world, suggested_unit=str(world.county_labour.pk))
    assert _registered_suggestion(case) == {
        "suggested_unit": world.county_labour.pk,
        "suggested_unit_name": "青山县人力资源和社会保障局",
    }


@pytest.mark.parametrize("bad", ["abc", "999999", "-3", "1.5", "0", "9" * 30, "１"])
def test_a_bad_suggested_unit_is_dropped_not_an_error(world: World, bad: str) -> None:
    case = _register_on_the_page(
        world, suggested_category="城乡建设", suggested_confidence="0.8712", suggested_unit=bad
    )
    assert _registered_suggestion(case) == SUGGESTED
    alone = _register_on_the_page(world, suggested_unit=bad)
    assert _registered_suggestion(alone) is None


def test_the_check_fills_the_unit_fields_and_registering_records_them(
    world: World, settings: Any, tmp_path: Any
) -> None:
    settings.XINFANG_TEXTINTEL_MODEL_DIR = tmp_path / "none"  # no model: no category suggestion
    _history(world)  # past routing: 3 of 4 similar cases went to the city housing bureau
    client = _client(world.registrar)
    page = client.post("/cases/new/", {**_page_data(world, category="030100"), "check": "1"}).content.decode()
    hidden = {
        name: re.search(rf'name="{name}" value="([^"]*)"', page)
        for name in ("suggested_unit", "suggested_unit_count", "suggested_unit_total")
    }
    assert all(hidden.values())
    values = {name: match.group(1) for name, match in hidden.items() if match}
    assert values == {
        "suggested_unit": str(world.city_housing.pk),
        "suggested_unit_count": "3",
        "suggested_unit_total": "4",
    }
    case = _register_on_the_page(world, **values)
    assert _registered_suggestion(case) == {
        "suggested_unit": world.city_housing.pk,
        "suggested_unit_name": "示例市住房和城乡建设局",
        "suggested_unit_basis": "过去同类 4 件中 3 件",
    }

    # a later check that suggests no unit (another category) clears what an earlier one put there
    data = {**_page_data(world, category="100000", **values), "check": "1"}
    page = client.post("/cases/new/", data).content.decode()
    assert re.search(r'name="suggested_unit" value="\d', page) is None


# ---------------------------------------------------------------- shown on the case page


def _detail(world: World, case: Case) -> str:
    response = _client(world.registrar).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _suggested(world: World, unit: Org, **overrides: Any) -> Case:
    suggestion = {
        **SUGGESTED,
        "suggested_unit": unit.pk,
        "suggested_unit_count": 9,
        "suggested_unit_total": 12,
    }
    return register(world, suggestion={**suggestion, **overrides})


def test_the_case_page_shows_the_suggestions_beside_the_choices(world: World) -> None:
    case = _suggested(world, world.city_housing)
    page = _detail(world, case)
    assert "系统建议分类：城乡建设（置信度 0.87）· 登记选择：城乡建设 / 住房保障与房地产" in page
    assert "系统建议责任单位：示例市住房和城乡建设局（过去同类 12 件中 9 件）" in page
    assert "实际转交" not in page  # not routed yet

    services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    page = _detail(world, case)
    assert "实际转交：示例市住房和城乡建设局（采纳）" in page


def test_a_routing_elsewhere_is_shown_without_adopted(world: World) -> None:
    case = _suggested(world, world.city_housing)
    services.case_forward(actor=world.registrar, case=case, to_org=world.county_labour)
    page = _detail(world, case)
    assert "实际转交：青山县人力资源和社会保障局" in page
    assert "采纳" not in page


def test_an_objection_after_the_suggested_routing_is_not_adopted(world: World) -> None:
    case = _suggested(world, world.city_housing)
    services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    services.case_object(actor=world.handler, case=case, reasons="不属于本单位职责。")
    page = _detail(world, case)
    assert "实际转交：示例市住房和城乡建设局（已异议退回）" in page and "采纳" not in page


def test_the_service_keeps_only_plain_non_personal_values(world: World) -> None:
    case = register(
        world,
        suggestion={
            "suggested_category": " 城乡\x00建设 ",
            "confidence": True,
            "suggested_unit": True,
            "suggested_unit_count": 3,
            "suggested_unit_total": 2,  # fewer than the count: no basis
            "id_number": "11010519491231002X",
        },
    )
    assert _registered_suggestion(case) == {"suggested_category": "城乡建设"}
    huge = register(world, suggestion={"suggested_unit": 2**70, "confidence": float("nan")})
    assert _registered_suggestion(huge) is None
    counted = register(
        world,
        suggestion={
            "suggested_unit": world.city_housing.pk,
            "suggested_unit_count": 2,
            "suggested_unit_total": 2,
        },
    )
    assert _registered_suggestion(counted)["suggested_unit_basis"] == "过去同类 2 件中 2 件"


def test_an_unsure_category_and_no_suggestion_at_all(world: World) -> None:
    unsure = register(world, suggestion={"suggested_category": None, "confidence": 0.41})
    page = _detail(world, unsure)
    assert "系统未能判断（需人工判断）· 登记选择：城乡建设 / 住房保障与房地产" in page
    assert "系统建议责任单位" not in page
    plain = register(world)
    assert "系统建议" not in _detail(world, plain)


def test_the_suggestion_is_shown_only_to_those_who_see_the_case(world: World) -> None:
    case = _suggested(world, world.city_housing)
    assert _client(world.other_clerk).get(f"/cases/{case.pk}/").status_code == 404


# ---------------------------------------------------------------- preselected when routing


def _to_org_select(page: str) -> str:
    match = re.search(r'<select name="to_org".*?</select>', page, re.S)
    assert match is not None
    return match.group(0)


def _selected(select: str) -> list[str]:
    return re.findall(r'<option value="(\d+)"[^>]*\bselected\b', select)


@pytest.mark.parametrize("action", ["forward", "assign"])
def test_the_routing_form_preselects_the_suggested_unit(world: World, action: str) -> None:
    case = _suggested(world, world.city_housing)
    page = _client(world.registrar).get(f"/cases/{case.pk}/act/{action}/").content.decode()
    assert _selected(_to_org_select(page)) == [str(world.city_housing.pk)]
    assert "系统建议，可更改" in page

    # the clerk can change it
    data = {"to_org": str(world.county_labour.pk), "report_due": "2099-01-01"}
    response = _client(world.registrar).post(f"/cases/{case.pk}/act/{action}/", data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.current_org == world.county_labour


def test_no_preselection_without_a_suggestion_or_when_it_cannot_be_chosen(world: World) -> None:
    plain = register(world)
    page = _client(world.registrar).get(f"/cases/{plain.pk}/act/forward/").content.decode()
    assert _selected(_to_org_select(page)) == [] and "系统建议" not in page
    own = _suggested(world, world.city_bureau)  # the current unit is not among the choices
    page = _client(world.registrar).get(f"/cases/{own.pk}/act/forward/").content.decode()
    assert _selected(_to_org_select(page)) == [] and "系统建议" not in page


@pytest.mark.parametrize("bad", ["abc", "nan", "1.5", "-0.1", "inf", ""])
def test_a_bad_suggested_confidence_is_dropped_and_the_case_is_still_registered(
    world: World, bad: str
) -> None:
    case = _register_on_the_page(world, suggested_category="城乡建设", suggested_confidence=bad)
    assert _registered_suggestion(case) is None  # a category suggestion is recorded only with its confidence
    long_label = _register_on_the_page(world, suggested_category="城" * 100, suggested_confidence="0.5")
    assert _registered_suggestion(long_label) == {"suggested_category": "城" * 64, "confidence": 0.5}
