from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from xinfang.api.models import ApiToken
from xinfang.api.tests.conftest import Api
from xinfang.api.tokens import api_token_create, api_token_revoke, fill_new_key, token_hash
from xinfang.core.errors import ServiceError
from xinfang.orgs.models import Role, User
from xinfang.orgs.services import membership_grant, staff_user_create
from xinfang.testing.world import World


def test_a_request_without_a_token_is_refused_with_401_in_the_error_shape(anonymous: Api) -> None:
    response = anonymous.get("/cases")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    (item,) = response.json()["detail"]
    assert item["code"] == "unauthenticated" and item["field"] == "Authorization"
    assert "令牌" in item["message"]


def test_an_unknown_token_or_another_scheme_is_refused(world: World) -> None:
    assert Api("not-a-token").get("/cases").status_code == 401
    client = Client()
    assert client.get("/api/v1/cases", headers={"Authorization": "Basic abc"}).status_code == 401


def test_a_valid_token_authenticates_and_records_its_last_use(world: World) -> None:
    token, raw = api_token_create(user=world.registrar, name="热线对接")
    assert token.key_hash == token_hash(raw) and raw.startswith(token.prefix)
    assert raw not in {token.key_hash, token.prefix}
    assert Api(raw).get("/cases").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused(world: World) -> None:
    token, raw = api_token_create(user=world.registrar, name="旧令牌")
    api_token_revoke(token=token)
    assert Api(raw).get("/cases").status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(world: World) -> None:
    _, raw = api_token_create(user=world.handler, name="x")
    User.objects.filter(pk=world.handler.pk).update(is_active=False)
    assert Api(raw).get("/cases").status_code == 401


def test_a_citizen_cannot_get_a_token(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        api_token_create(user=world.citizen, name="门户")
    assert refused.value.field == "user" and "群众账号不能申请接口令牌" in refused.value.message
    with pytest.raises(CommandError, match="群众账号不能申请接口令牌"):
        call_command("api_token_create", username="citizen", name="门户")
    assert not ApiToken.objects.exists()


def test_a_token_row_made_for_a_citizen_behind_the_services_back_still_does_not_authenticate(
    world: World,
) -> None:
    token = ApiToken(user=world.citizen, name="x")
    raw = fill_new_key(token)
    token.save()
    assert Api(raw).get("/cases").status_code == 401


def test_the_command_prints_a_working_token_once(world: World) -> None:
    out, err = StringIO(), StringIO()
    call_command("api_token_create", username="registrar", name="热线对接", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert "只显示这一次" in err.getvalue()
    token = ApiToken.objects.get()
    assert token.user == world.registrar and token.name == "热线对接" and token.key_hash == token_hash(raw)
    assert Api(raw).get("/orgs").status_code == 200


def test_the_command_names_an_unknown_user(world: World) -> None:
    with pytest.raises(CommandError, match="用户“nobody”不存在"):
        call_command("api_token_create", username="nobody", name="x")


def test_the_admin_creates_a_token_and_shows_it_once(world: World, client: Client) -> None:
    admin = staff_user_create(username="root", full_name="管理员", password="Admin-Pass-2026")
    membership_grant(user=admin, org=world.city_bureau, role=Role.ADMIN)
    client.force_login(admin)
    response = client.post(
        "/admin/api/apitoken/add/", {"user": world.handler.pk, "name": "统计对接"}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    (message,) = [m for m in shown if "不再显示" in m]
    raw = message.rsplit("：", 1)[1]
    assert token_hash(raw) == token.key_hash
    page = client.get(f"/admin/api/apitoken/{token.pk}/change/")
    assert page.status_code == 200 and raw not in page.content.decode()
    client.post(
        "/admin/api/apitoken/", {"action": "revoke_selected", "_selected_action": [token.pk]}, follow=True
    )
    token.refresh_from_db()
    assert token.revoked and Api(raw).get("/cases").status_code == 401


def test_the_admin_refuses_a_token_for_a_citizen(world: World, client: Client) -> None:
    admin = staff_user_create(username="root", full_name="管理员", password="Admin-Pass-2026")
    membership_grant(user=admin, org=world.city_bureau, role=Role.ADMIN)
    client.force_login(admin)
    response = client.post("/admin/api/apitoken/add/", {"user": world.citizen.pk, "name": "门户"})
    assert response.status_code == 200
    assert "群众账号不能申请接口令牌" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_revoked_token_cannot_be_reinstated_in_the_back_office(world: World, client: Client) -> None:
    admin = staff_user_create(username="root", full_name="管理员", password="Admin-Pass-2026")
    membership_grant(user=admin, org=world.city_bureau, role=Role.ADMIN)
    client.force_login(admin)
    token, raw = api_token_create(user=world.handler, name="统计对接")
    url = f"/admin/api/apitoken/{token.pk}/change/"
    # Revoking from the change form goes through the service ...
    assert client.post(url, {"name": "统计对接", "revoked": "on"}).status_code == 302
    token.refresh_from_db()
    assert token.revoked and Api(raw).get("/cases").status_code == 401
    # ... and is final: the box is read-only, and a form without it (unticked) changes nothing.
    page = client.get(url).content.decode()
    assert 'name="revoked"' not in page
    assert client.post(url, {"name": "改名后"}).status_code == 302
    token.refresh_from_db()
    assert token.revoked and token.name == "改名后"
    assert Api(raw).get("/cases").status_code == 401


def test_the_openapi_document_needs_no_token(anonymous: Api) -> None:
    assert anonymous.client.get("/api/v1/openapi.json").status_code == 200
