from __future__ import annotations

from django.test import Client

from xinfang.orgs.models import Org, OrgKind, Role
from xinfang.orgs.services import membership_grant
from xinfang.testing.world import World


def _admin_client(world: World) -> Client:
    membership_grant(user=world.bureau_head, org=world.city_bureau, role=Role.ADMIN)
    client = Client()
    client.force_login(world.bureau_head)
    return client


def test_the_back_office_speaks_chinese(world: World) -> None:
    page = _admin_client(world).get("/admin/").content.decode()
    assert "信访事项办理系统 · 管理后台" in page
    assert "行政区划" in page and "岗位角色" in page


def test_every_admin_list_opens(world: World) -> None:
    client = _admin_client(world)
    for url in ["/admin/orgs/region/", "/admin/orgs/org/", "/admin/orgs/user/", "/admin/orgs/membership/"]:
        assert client.get(url).status_code == 200, url


def test_creating_an_org_in_the_admin_sets_its_path(world: World) -> None:
    response = _admin_client(world).post(
        "/admin/orgs/org/add/",
        {
            "name": "青山县教育局",
            "short_name": "",
            "region": world.county.pk,
            "level": "county",
            "kind": OrgKind.FUNCTIONAL,
            "parent": world.county_gov.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    org = Org.objects.get(name="青山县教育局")
    assert org.path == f"{world.county_gov.path}{org.pk}/"


def test_an_admin_form_shows_the_service_message_on_bad_input(world: World) -> None:
    response = _admin_client(world).post(
        "/admin/orgs/org/add/",
        {"name": "示例市信访局", "region": world.city.pk, "level": "city", "kind": OrgKind.PETITION_BUREAU},
    )
    assert response.status_code == 200
    assert "已有名为“示例市信访局”的机构" in response.content.decode()


def test_staff_without_the_admin_role_cannot_open_the_back_office(world: World) -> None:
    client = Client()
    client.force_login(world.handler)
    assert client.get("/admin/").status_code == 302
