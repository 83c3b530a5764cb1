"""建议责任单位: where visible past cases of the same level-1 category and county were routed."""

from __future__ import annotations

from typing import Any

from django.test import Client

from xinfang.cases import services
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.tests.helpers import category, register
from xinfang.orgs.models import Org
from xinfang.testing.world import World
from xinfang.textintel.db.routing_hint import suggest_unit
from xinfang.textintel.tests.test_intake import _page_data


def _routed(world: World, to_org: Org, **overrides: Any) -> Case:
    return services.case_forward(actor=world.registrar, case=register(world, **overrides), to_org=to_org)


def _history(world: World) -> None:
    _routed(world, world.city_housing)
    _routed(world, world.city_housing, problem_region=world.town)  # under the county
    _routed(world, world.city_housing, category=category("030200"))  # same level-1 category
    _routed(world, world.county_labour)
    register(world)  # not routed: not counted
    _routed(world, world.county_labour, category=category("040000"))  # another category
    _routed(world, world.county_labour, problem_region=world.other_county)  # another county


def test_units_are_ranked_by_past_routing_of_similar_cases(world: World) -> None:
    _history(world)
    events = CaseEvent.objects.count()
    hints = suggest_unit(world.registrar, "030400", world.town.code)  # the town's county counts
    assert [(h.org, h.count, h.total) for h in hints] == [
        (world.city_housing, 3, 4),
        (world.county_labour, 1, 4),
    ]
    assert hints[0].share == 0.75
    assert hints[0].describe() == "示例市住房和城乡建设局（过去同类 4 件中 3 件）"
    assert hints[0].as_dict()["org_id"] == world.city_housing.pk
    assert suggest_unit(world.registrar, "030100", world.county.code) == hints
    assert CaseEvent.objects.count() == events  # nothing recorded


def test_only_visible_cases_count_and_bad_input_gives_nothing(world: World) -> None:
    _history(world)
    assert suggest_unit(world.other_clerk, "030100", world.county.code) == []
    assert suggest_unit(world.registrar, None, world.county.code) == []
    assert suggest_unit(world.registrar, "030100", None) == []
    assert suggest_unit(world.registrar, "x", world.county.code) == []
    assert suggest_unit(world.registrar, "030100", "123456") == []
    # a region above county level matches only itself
    assert suggest_unit(world.registrar, "030100", world.city.code) == []
    _routed(world, world.city_housing, problem_region=world.city)
    [hint] = suggest_unit(world.registrar, "030100", world.city.code)
    assert (hint.org, hint.count, hint.total) == (world.city_housing, 1, 1)


def test_a_routing_the_unit_objected_to_does_not_count(world: World) -> None:
    case = _routed(world, world.other_county_labour, problem_region=world.other_county)
    services.case_object(actor=world.other_clerk, case=case, reasons="不属于本单位职责。")
    assert suggest_unit(world.registrar, "030100", world.other_county.code) == []
    _routed(world, world.city_housing, problem_region=world.other_county)
    [hint] = suggest_unit(world.registrar, "030100", world.other_county.code)
    assert (hint.org, hint.count, hint.total) == (world.city_housing, 1, 2)


def test_the_check_button_shows_the_suggested_unit(world: World, settings: Any, tmp_path: Any) -> None:
    settings.XINFANG_TEXTINTEL_MODEL_DIR = tmp_path / "none"
    _history(world)
    client = Client()
    client.force_login(world.registrar)
    before = (Case.objects.count(), CaseEvent.objects.count())
    response = client.post("/cases/new/", {**_page_data(world, category="030100"), "check": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "建议责任单位：示例市住房和城乡建设局（过去同类 4 件中 3 件）" in page
    assert "青山县人力资源和社会保障局（过去同类 4 件中 1 件）" in page
    assert (Case.objects.count(), CaseEvent.objects.count()) == before
    # no category chosen yet: no unit suggestion
    response = client.post("/cases/new/", {**_page_data(world), "check": "1"})
    assert "建议责任单位" not in response.content.decode()
