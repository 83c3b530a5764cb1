"""The registration page for an accusation against the registering organ (第三十条)."""

from __future__ import annotations

import re

from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import ID_NUMBER, category
from xinfang.core.timeutil import local_date
from xinfang.orgs import services as org_services
from xinfang.orgs.models import OrgKind
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import World


def _accusation(world: World, **overrides: str) -> dict[str, str]:
    category("030100")
    data = {
        "org": str(world.city_bureau.pk),
        "channel": "visit",
        "nature": "accusation",
        "category": "030100",
        "subject": "反映信访局工作人员推诿",
        "content": "信访局某工作人员多次拒收材料。",
        "problem_region": world.city.code,
        "received_on": local_date().isoformat(),
        "headcount": "1",
        "via_proper_ladder": "on",
        "accused_person": "某科长",
        "accused_org": str(world.city_bureau.pk),
        "p-TOTAL_FORMS": "10",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "10",
        "p-0-name": "王五",
        "p-0-id_number": ID_NUMBER,
    }
    data.update(overrides)
    return data


def _options(page: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    return {
        label for value, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', select.group(1))
    }


def test_the_page_offers_only_competent_destinations_and_explains_the_rule(world: World) -> None:
    page = _client(world.registrar).get("/cases/new/").content.decode()
    assert _options(page, "forward_to") == {"示例省人民政府", "示例市人民政府", "示例市纪委监委"}
    assert "被反映单位是登记机关本身的，须同时选择转送机关" in page


def test_choosing_the_own_organ_without_a_destination_shows_the_error_on_the_form(world: World) -> None:
    # Before: the case was saved and the clerk was sent to a page that answered 404.
    response = _client(world.registrar).post("/cases/new/", _accusation(world))
    assert response.status_code == 200
    form = response.context["form"]
    assert "请选择转送机关" in form.errors["forward_to"][0]
    assert "登记未完成" in response.content.decode()
    assert not Case.objects.exists()


def test_with_a_destination_the_clerk_sees_a_confirmation_not_a_404(world: World) -> None:
    client = _client(world.registrar)
    response = client.post(
        "/cases/new/", _accusation(world, forward_to=str(world.city_discipline.pk)), follow=True
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.current_org == world.city_discipline and case.status == "routed"
    page = response.content.decode()
    assert f"已登记并转送至示例市纪委监委，信访件编号 {case.number}" in page
    assert "该检举控告涉及本机关，本机关不再查看其内容" in page
    assert case.content not in page
    assert client.get(f"/cases/{case.pk}/").status_code == 404  # and it stays out of sight


def test_a_destination_that_is_not_competent_is_refused_on_the_form(world: World) -> None:
    county_discipline = org_services.org_create(
        name="青山县纪委监委", region=world.county, kind=OrgKind.DISCIPLINE
    )
    data = _accusation(world, forward_to=str(county_discipline.pk))
    response = _client(world.registrar).post("/cases/new/", data)
    assert response.status_code == 200 and "forward_to" in response.context["form"].errors
    assert not Case.objects.exists()
