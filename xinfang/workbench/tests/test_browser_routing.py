"""The 交办 form in a browser: the 协办 picker filters by name, picks without Ctrl, and submits."""

from __future__ import annotations

from typing import Any

import pytest

from xinfang.cases.models import Case, CaseUnit
from xinfang.cases.tests.helpers import register
from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant, staff_user_create
from xinfang.testing.world import PASSWORD, World

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_assign_form_picks_assisting_units_by_searching(
    live_server: Any, world: World, page: Any
) -> None:
    case = register(world)
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "registrar")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/cases/{case.pk}/act/assign/")
    assert page.inner_text("label[for=id_note]").startswith("交办说明")
    page.select_option("select[name=to_org]", str(world.city_housing.pk))
    page.fill("input[name=report_due]", "2099-01-01")
    picker = page.locator("input.org-picker-filter")
    assert picker.count() == 1

    picker.fill("青山县人力")
    visible = page.eval_on_selector_all(
        "select[name=assisting] option", "os => os.filter(o => !o.hidden).map(o => o.text)"
    )
    assert visible == ["青山县人力资源和社会保障局"]
    groups = page.eval_on_selector_all(
        "select[name=assisting] optgroup", "gs => gs.filter(g => !g.hidden).map(g => g.label)"
    )
    assert groups == ["县级机关和单位"]
    page.click(f"select[name=assisting] option[value='{world.county_labour.pk}']")
    picker.press("Enter")  # typing a name and pressing Enter never submits the form
    assert page.url.endswith(f"/cases/{case.pk}/act/assign/")

    # a second organ by another search, without Ctrl: the first stays chosen
    picker.fill("城关镇")
    page.click(f"select[name=assisting] option[value='{world.town_office.pk}']")
    assert "已选 2 个" in page.inner_text(".org-picker-chosen")

    page.click("button.primary")
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    case = Case.objects.get(pk=case.pk)
    assert case.status == "routed" and case.current_org == world.city_housing
    assisting = set(
        CaseUnit.objects.filter(case=case, role="assist", is_active=True).values_list("org", flat=True)
    )
    assert assisting == {world.county_labour.pk, world.town_office.pk}


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.django_db(transaction=True)
def test_a_case_goes_city_bureau_county_bureau_county_department_in_the_browser(
    live_server: Any, world: World, page: Any
) -> None:
    for username, org, role in (
        ("county_clerk", world.county_bureau, Role.REGISTRAR),
        ("labour_clerk", world.county_labour, Role.HANDLER),
    ):
        membership_grant(
            user=staff_user_create(username=username, full_name=username, password=PASSWORD),
            org=org,
            role=role,
        )
    case = register(world)
    base = live_server.url

    _login(page, base, "registrar")
    page.goto(f"{base}/cases/{case.pk}/act/forward/")
    page.select_option("select[name=to_org]", str(world.county_bureau.pk))
    page.fill("textarea[name=note]", "请青山县信访局转有关部门办理")
    page.click("button.primary")
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    page.click("text=退出登录")

    _login(page, base, "county_clerk")
    page.goto(f"{base}/cases/{case.pk}/")
    page.click("[data-action=forward]")
    offered = page.eval_on_selector_all("select[name=to_org] option", "os => os.map(o => o.text)")
    assert offered == ["请选择单位", "青山县人力资源和社会保障局", "青山县城关镇人民政府"]
    page.select_option("select[name=to_org]", str(world.county_labour.pk))
    page.click("button.primary")
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    page.click("text=退出登录")

    _login(page, base, "labour_clerk")
    page.goto(f"{base}/cases/{case.pk}/")
    assert page.locator("[data-action=accept]").count() == 1
    assert page.locator("[data-action=forward]").count() == 0
    case = Case.objects.get(pk=case.pk)
    assert case.current_org == world.county_labour
    assert list(case.events.filter(kind="forwarded").values_list("org", flat=True)) == [
        world.city_bureau.pk,
        world.county_bureau.pk,
    ]
