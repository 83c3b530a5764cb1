"""The 转送 / 交办 pages: choices within the bureau's reach grouped by level, labels, hops on the page."""

from __future__ import annotations

import re

from django.test import Client

from xinfang.cases import services
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register
from xinfang.orgs.models import Role, User
from xinfang.orgs.services import membership_grant, staff_user_create
from xinfang.testing.world import PASSWORD, World


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _staff(username: str, org: object, role: str) -> User:
    user = staff_user_create(username=username, full_name=username, password=PASSWORD)
    membership_grant(user=user, org=org, role=role)  # type: ignore[arg-type]
    return user


def _groups(html: str, name: str) -> dict[str, list[str]]:
    """The <optgroup> labels of select `name` with the option texts under each."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select is not None, f"no select {name}"
    return {
        label: re.findall(r"<option[^>]*>([^<]+)</option>", body)
        for label, body in re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select.group(0), re.S)
    }


def test_the_assign_form_labels_its_note_and_groups_the_reach_by_level(world: World) -> None:
    case = register(world)
    html = _client(world.registrar).get(f"/cases/{case.pk}/act/assign/").content.decode()
    assert ">交办说明<" in html and ">转送说明<" not in html
    groups = _groups(html, "assisting")
    assert list(groups) == ["市级机关和单位", "县级机关和单位", "乡镇机关和单位"]
    assert "示例市住房和城乡建设局" in groups["市级机关和单位"]
    assert "青山县人力资源和社会保障局" in groups["县级机关和单位"]
    offered = [name for names in groups.values() for name in names]
    # nothing above or beside the city bureau is offered, nor the bureau itself
    assert not {"示例省人民政府", "示例市人民政府", "示例市信访局"} & set(offered)
    assert 'data-org-picker="1"' in html and "workbench/org_picker.js" in html
    forward = _client(world.registrar).get(f"/cases/{case.pk}/act/forward/").content.decode()
    assert ">转送说明<" in forward and ">交办说明<" not in forward


def test_a_county_bureau_routes_a_forwarded_case_through_the_pages(world: World) -> None:
    clerk = _staff("county_clerk", world.county_bureau, Role.REGISTRAR)
    labour = _staff("labour_clerk", world.county_labour, Role.HANDLER)
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.county_bureau)
    client = _client(clerk)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="forward"' in page and 'data-action="assign"' in page
    form = client.get(f"/cases/{case.pk}/act/forward/").content.decode()
    offered = [n for names in _groups(form, "to_org").values() for n in names]
    assert offered == ["青山县人力资源和社会保障局", "青山县城关镇人民政府"]
    # an organ outside the reach posted by hand is refused on its field
    refused = client.post(f"/cases/{case.pk}/act/forward/", {"to_org": world.other_county_labour.pk})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert re.search(r'has-error">\s*<label for="id_to_org">', body) and "选择一个有效的选项" in body
    done = client.post(
        f"/cases/{case.pk}/act/forward/",
        {"to_org": world.county_labour.pk, "assisting": [world.town_office.pk], "note": "请办理"},
    )
    assert done.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.current_org == world.county_labour and case.status == "routed"
    # the department may accept or object, never route on: no routing buttons
    unit = _client(labour).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="accept"' in unit and 'data-action="object"' in unit
    assert 'data-action="forward"' not in unit and 'data-action="assign"' not in unit
    # the case page offers both hops' slips
    mine = _client(world.registrar).get(f"/cases/{case.pk}/").content.decode()
    first = case.events.get(kind="forwarded", org=world.city_bureau).seq
    assert f"?seq={first}" in mine and "此前转送单（致青山县信访局" in mine
    slip = _client(world.registrar).get(f"/cases/{case.pk}/documents/routing_slip/?seq={first}")
    assert slip.status_code == 200
    assert _client(world.registrar).get(f"/cases/{case.pk}/documents/routing_slip/?seq=x").status_code == 404
