from __future__ import annotations

from typing import Any

from django.test import Client

from xinfang.core.errors import ServiceError
from xinfang.orgs import services
from xinfang.orgs.models import Membership, Org, OrgKind, Role, User
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


# -- every write of roles and accounts goes through the services -------------------------------------


def _admin_of(world: World) -> User:
    """world.registrar, made a 系统管理员 through the service (the one whose access the tests watch)."""
    membership_grant(user=world.registrar, org=world.city_bureau, role=Role.ADMIN)
    world.registrar.refresh_from_db()
    assert world.registrar.is_staff and world.registrar.is_superuser
    return world.registrar


def _has_back_office(user: User) -> bool:
    user.refresh_from_db()
    assert user.is_staff == user.is_superuser
    return user.is_staff


def _user_form(user: User, memberships: list[dict[str, object]], **changes: object) -> dict[str, object]:
    """The POST of an account's change page: its fields and its roles (the inline)."""
    data: dict[str, object] = {
        "username": user.username,
        "full_name": user.full_name,
        "phone": user.phone,
        "email": user.email,
        "is_active": "on",
        "memberships-TOTAL_FORMS": len(memberships),
        "memberships-INITIAL_FORMS": sum(1 for m in memberships if m.get("id")),
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(memberships):
        for name, value in row.items():
            data[f"memberships-{i}-{name}"] = value
        data[f"memberships-{i}-user"] = user.pk
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _row(membership: Membership, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": membership.pk,
        "org": membership.org_id,
        "role": membership.role,
        "is_active": "on" if membership.is_active else None,
    }
    row.update(changes)
    return row


def test_deactivating_an_admin_role_in_the_back_office_closes_it(world: World) -> None:
    client, target = _admin_client(world), _admin_of(world)
    membership = Membership.objects.get(user=target, role=Role.ADMIN)
    url = f"/admin/orgs/membership/{membership.pk}/change/"
    response = client.post(url, {"org": world.city_bureau.pk, "role": Role.ADMIN})  # 有效 unticked
    assert response.status_code == 302
    assert not _has_back_office(target)
    client.post(url, {"org": world.city_bureau.pk, "role": Role.ADMIN, "is_active": "on"})
    assert _has_back_office(target)


def test_deleting_an_admin_role_in_the_back_office_closes_it(world: World) -> None:
    client, target = _admin_client(world), _admin_of(world)
    membership = Membership.objects.get(user=target, role=Role.ADMIN)
    response = client.post(f"/admin/orgs/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Membership.objects.filter(pk=membership.pk).exists()
    assert not _has_back_office(target)


def test_bulk_deleting_admin_roles_closes_the_back_office(world: World) -> None:
    client, target = _admin_client(world), _admin_of(world)
    ids = list(Membership.objects.filter(user=target).values_list("pk", flat=True))
    response = client.post(
        "/admin/orgs/membership/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302 and not Membership.objects.filter(user=target).exists()
    assert not _has_back_office(target)


def test_bulk_revoking_roles_closes_the_back_office(world: World) -> None:
    client, target = _admin_client(world), _admin_of(world)
    ids = list(Membership.objects.filter(user=target, role=Role.ADMIN).values_list("pk", flat=True))
    client.post("/admin/orgs/membership/", {"action": "revoke_selected", "_selected_action": ids})
    assert not Membership.objects.get(pk=ids[0]).is_active
    assert not _has_back_office(target)


def test_adding_the_admin_role_in_the_back_office_opens_it(world: World) -> None:
    client = _admin_client(world)
    response = client.post(
        "/admin/orgs/membership/add/",
        {"user": world.handler.pk, "org": world.city_housing.pk, "role": Role.ADMIN, "is_active": "on"},
    )
    assert response.status_code == 302
    assert _has_back_office(world.handler)


def test_the_membership_form_refuses_a_citizen_and_a_misplaced_bureau_head(world: World) -> None:
    client = _admin_client(world)
    response = client.post(
        "/admin/orgs/membership/add/",
        {"user": world.citizen.pk, "org": world.city_bureau.pk, "role": Role.ADMIN, "is_active": "on"},
    )
    assert response.status_code == 200 and "群众账号不能担任机构岗位" in response.content.decode()
    assert not Membership.objects.filter(user=world.citizen).exists() and not _has_back_office(world.citizen)
    response = client.post(
        "/admin/orgs/membership/add/",
        {"user": world.handler.pk, "org": world.city_housing.pk, "role": Role.BUREAU_HEAD, "is_active": "on"},
    )
    assert response.status_code == 200 and "信访部门负责人只能在信访部门任职" in response.content.decode()
    membership = Membership.objects.get(user=world.handler)
    response = client.post(
        f"/admin/orgs/membership/{membership.pk}/change/",
        {"org": world.city_housing.pk, "role": Role.BUREAU_HEAD, "is_active": "on"},
    )
    assert response.status_code == 200 and "信访部门负责人只能在信访部门任职" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == Role.HANDLER


def test_the_roles_on_an_account_page_go_through_the_services(world: World) -> None:
    client, target = _admin_client(world), world.handler
    url = f"/admin/orgs/user/{target.pk}/change/"
    handler_role = Membership.objects.get(user=target)
    new_admin = {"org": world.city_housing.pk, "role": Role.ADMIN, "is_active": "on"}
    response = client.post(url, _user_form(target, [_row(handler_role), new_admin]))
    assert response.status_code == 302
    assert _has_back_office(target)
    admin_role = Membership.objects.get(user=target, role=Role.ADMIN)
    # Unticking 有效 on the inline closes it again; deleting the row too.
    client.post(url, _user_form(target, [_row(handler_role), _row(admin_role, is_active=None)]))
    assert not _has_back_office(target) and not Membership.objects.get(pk=admin_role.pk).is_active
    client.post(url, _user_form(target, [_row(handler_role), _row(admin_role, is_active="on")]))
    assert _has_back_office(target)
    client.post(url, _user_form(target, [_row(handler_role), _row(admin_role, DELETE="on")]))
    assert not _has_back_office(target) and not Membership.objects.filter(pk=admin_role.pk).exists()


def test_an_account_page_cannot_give_a_citizen_a_role(world: World) -> None:
    client = _admin_client(world)
    row = {"org": world.city_bureau.pk, "role": Role.ADMIN, "is_active": "on"}
    response = client.post(f"/admin/orgs/user/{world.citizen.pk}/change/", _user_form(world.citizen, [row]))
    assert response.status_code == 200 and "群众账号不能担任机构岗位" in response.content.decode()
    assert not Membership.objects.filter(user=world.citizen).exists() and not _has_back_office(world.citizen)


def test_back_office_access_cannot_be_ticked_on_an_account(world: World) -> None:
    client = _admin_client(world)
    url = f"/admin/orgs/user/{world.handler.pk}/change/"
    handler_role = Membership.objects.get(user=world.handler)
    form = _user_form(world.handler, [_row(handler_role)], is_staff="on", is_superuser="on", kind="citizen")
    form["full_name"] = "刘承办（改）"
    assert client.post(url, form).status_code == 302
    world.handler.refresh_from_db()
    assert world.handler.full_name == "刘承办（改）" and world.handler.kind == "staff"
    assert not _has_back_office(world.handler)


def test_an_account_created_in_the_back_office_goes_through_the_service(world: World) -> None:
    client = _admin_client(world)
    body = {"username": "newclerk", "full_name": "", "kind": "staff", "password1": "Clerk-Pass-2026"}
    body |= {
        "password2": body["password1"],
        **{k: v for k, v in _user_form(world.citizen, []).items() if "-" in k},
    }
    response = client.post("/admin/orgs/user/add/", body)
    assert response.status_code == 200 and "姓名不能为空" in response.content.decode()
    with_role = _user_form(
        world.citizen, [{"org": world.city_bureau.pk, "role": Role.ADMIN, "is_active": "on"}]
    )
    inline = {k: v for k, v in with_role.items() if k.startswith("memberships-") and not k.endswith("-user")}
    response = client.post(
        "/admin/orgs/user/add/", {**body, "full_name": "新办事员", "kind": "citizen", **inline}
    )
    assert response.status_code == 200 and "群众账号不能担任机构岗位" in response.content.decode()
    assert not User.objects.filter(username="newclerk").exists()
    assert client.get("/admin/orgs/user/add/").status_code == 200
    response = client.post("/admin/orgs/user/add/", {**body, "full_name": "新办事员", "kind": "citizen"})
    assert response.status_code == 302
    created = User.objects.get(username="newclerk")
    assert created.is_citizen and created.check_password("Clerk-Pass-2026") and not created.is_staff


def test_deactivating_the_organisation_of_an_admin_role_closes_the_back_office(world: World) -> None:
    client = _admin_client(world)
    membership_grant(user=world.handler, org=world.city_housing, role=Role.ADMIN)
    assert _has_back_office(world.handler)
    org = world.city_housing
    form = {
        "name": org.name,
        "short_name": org.short_name,
        "region": org.region_id,
        "level": org.level,
        "kind": org.kind,
        "parent": org.parent_id,
    }
    assert client.post(f"/admin/orgs/org/{org.pk}/change/", form).status_code == 302  # 启用 unticked
    assert not _has_back_office(world.handler)
    client.post(f"/admin/orgs/org/{org.pk}/change/", {**form, "is_active": "on"})
    assert _has_back_office(world.handler)


def test_a_service_error_while_saving_is_a_message_not_a_500(world: World, monkeypatch: Any) -> None:
    client = _admin_client(world)

    def refuse(**_kwargs: object) -> None:
        raise ServiceError("机构“示例市信访局”已停用。", field="org")

    monkeypatch.setattr(services, "membership_grant", refuse)
    body = {"user": world.handler.pk, "org": world.city_bureau.pk, "role": Role.REGISTRAR, "is_active": "on"}
    response = client.post("/admin/orgs/membership/add/", body, follow=True)
    assert response.status_code == 200
    assert "机构“示例市信访局”已停用。" in [str(m) for m in response.context["messages"]]
    assert not Membership.objects.filter(user=world.handler, role=Role.REGISTRAR).exists()


def test_an_organisation_that_holds_roles_cannot_be_bulk_deleted(world: World) -> None:
    client = _admin_client(world)
    response = client.post(
        "/admin/orgs/org/",
        {"action": "delete_selected", "_selected_action": [world.city_housing.pk], "post": "yes"},
    )
    assert response.status_code == 200  # the page that lists what stands in the way
    assert Org.objects.filter(pk=world.city_housing.pk).exists()


def test_the_change_pages_open_with_access_and_kind_read_only(world: World) -> None:
    client = _admin_client(world)
    membership = Membership.objects.get(user=world.handler)
    for url in (
        f"/admin/orgs/user/{world.handler.pk}/change/",
        f"/admin/orgs/membership/{membership.pk}/change/",
        "/admin/orgs/membership/add/",
        "/admin/orgs/user/add/",
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/admin/orgs/user/{world.handler.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page and 'name="kind"' not in page


def test_the_back_office_sets_an_organs_document_prefix_and_refuses_a_bad_one(world: World) -> None:
    client = _admin_client(world)
    org = world.city_bureau
    url = f"/admin/orgs/org/{org.pk}/change/"
    assert "机关代字" in client.get(url).content.decode()
    form = {
        "name": org.name,
        "short_name": org.short_name,
        "region": org.region_id,
        "level": org.level,
        "kind": org.kind,
        "parent": org.parent_id or "",
        "is_active": "on",
    }
    refused = client.post(url, {**form, "doc_prefix": "示信访〔2026〕"})
    assert refused.status_code == 200
    assert "机关代字只写机关的代字" in refused.content.decode()
    assert Org.objects.get(pk=org.pk).doc_prefix == ""
    assert client.post(url, {**form, "doc_prefix": " 示信访 "}).status_code == 302
    assert Org.objects.get(pk=org.pk).document_prefix == "示信访"
