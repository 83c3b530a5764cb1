"""Repeated wrong passwords lock the account and the client address for a while (django-axes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant
from xinfang.testing.world import PASSWORD, World

LOCKED = "登录失败次数过多"


def _post(client: Client, url: str, username: str, password: str, **extra: Any) -> Any:
    return client.post(url, {"username": username, "password": password}, **extra)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_lock_the_account_until_the_cool_off_ends(world: World) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        for _ in range(30):
            assert _post(client, "/login/", "handler", "wrong-password").status_code in {200, 429}
        response = _post(client, "/login/", "handler", PASSWORD)
        assert response.status_code == 429
        page = response.content.decode()
        # The login form again, with the reason and when to come back, not a bare text page.
        assert "工作人员登录" in page and 'name="password"' in page
        assert LOCKED in page and "15 分钟后再试" in page
        assert "用户名或密码不正确" not in page
        assert not _signed_in(client)

        traveller.move_to(start + dt.timedelta(minutes=14))
        assert _post(Client(), "/login/", "handler", PASSWORD).status_code == 429
        # That attempt during the lock started the 15 minutes again (docs/operations.md).
        traveller.move_to(start + dt.timedelta(minutes=28))
        assert _post(Client(), "/login/", "handler", PASSWORD).status_code == 429

        traveller.move_to(start + dt.timedelta(minutes=44))
        client = Client()
        response = _post(client, "/login/", "handler", PASSWORD)
        assert response.status_code == 302 and _signed_in(client)


def test_the_lock_starts_at_the_configured_number_of_failures(world: World, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    assert _post(client, "/login/", "handler", "wrong-1").status_code == 200
    assert _post(client, "/login/", "handler", "wrong-2").status_code == 200
    assert _post(client, "/login/", "handler", "wrong-3").status_code == 429
    assert _post(client, "/login/", "handler", PASSWORD).status_code == 429


def test_one_account_is_locked_from_every_address(world: World) -> None:
    for number in range(5):
        _post(Client(), "/login/", "handler", f"wrong-{number}", REMOTE_ADDR=f"10.0.0.{number + 1}")
    response = _post(Client(), "/login/", "handler", PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429 and LOCKED in response.content.decode()
    # Someone else can still sign in from an address that did nothing wrong.
    assert _post(Client(), "/login/", "registrar", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 302


def test_one_address_trying_many_accounts_is_locked_for_all_of_them(world: World) -> None:
    for username in ["u1", "u2", "u3", "u4", "u5"]:
        _post(Client(), "/login/", username, "guess", REMOTE_ADDR="10.1.1.1")
    assert _post(Client(), "/login/", "registrar", PASSWORD, REMOTE_ADDR="10.1.1.1").status_code == 429
    assert _post(Client(), "/login/", "registrar", PASSWORD, REMOTE_ADDR="10.2.2.2").status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_the_guessing_of_another(world: World) -> None:
    for _round in range(3):
        for _ in range(2):
            _post(Client(), "/login/", "handler", "guess")
        assert _post(Client(), "/login/", "registrar", PASSWORD).status_code in {302, 429}
    # Six wrong passwords for handler, interleaved with the registrar's own logins: locked.
    assert _post(Client(), "/login/", "handler", PASSWORD, REMOTE_ADDR="10.7.7.7").status_code == 429


def test_failures_older_than_the_cool_off_no_longer_count(world: World) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(4):
            _post(Client(), "/login/", "handler", "wrong")
        traveller.move_to(start + dt.timedelta(minutes=16))
        _post(Client(), "/login/", "handler", "wrong")
        assert _post(Client(), "/login/", "handler", PASSWORD).status_code == 302


def test_the_back_office_login_is_throttled_too(world: World) -> None:
    membership_grant(user=world.bureau_head, org=world.city_bureau, role=Role.ADMIN)
    username = world.bureau_head.username
    client = Client()
    for _ in range(30):
        _post(client, "/admin/login/?next=/admin/", username, "wrong-password")
    response = _post(client, "/admin/login/?next=/admin/", username, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page and 'name="password"' in page
    assert not _signed_in(client)
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_failures_and_the_lockout_are_kept_for_audit_and_shown_in_the_back_office(world: World) -> None:
    from axes.models import AccessAttempt, AccessFailureLog

    for _ in range(6):
        _post(Client(), "/login/", "handler", "wrong", REMOTE_ADDR="10.3.3.3")
    logs = AccessFailureLog.objects.filter(username="handler", ip_address="10.3.3.3")
    assert logs.count() == 6
    assert logs.filter(locked_out=True).exists()
    assert "wrong" not in AccessAttempt.objects.get(username="handler").post_data  # no password kept

    membership_grant(user=world.bureau_head, org=world.city_bureau, role=Role.ADMIN)
    admin = Client()
    admin.force_login(world.bureau_head)
    for url in ["/admin/axes/accessattempt/", "/admin/axes/accessfailurelog/"]:
        response = admin.get(url)
        assert response.status_code == 200 and "10.3.3.3" in response.content.decode(), url


def test_an_administrator_unlocks_an_account_with_the_documented_command(world: World) -> None:
    for _ in range(5):
        _post(Client(), "/login/", "handler", "wrong")
    assert _post(Client(), "/login/", "handler", PASSWORD).status_code == 429
    call_command("axes_reset_username", "handler")
    call_command("axes_reset_ip", "127.0.0.1")
    assert _post(Client(), "/login/", "handler", PASSWORD).status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_address_lock(world: World) -> None:
    for number in range(5):
        _post(Client(), "/login/", f"u{number}", "guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    response = _post(Client(), "/login/", "registrar", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429


@pytest.mark.parametrize("header", ["HTTP_X_REAL_IP", "HTTP_X_FORWARDED_FOR"])
def test_behind_a_proxy_the_configured_header_gives_the_address(
    world: World, settings: Any, header: str
) -> None:
    from axes.models import AccessAttempt

    settings.XINFANG_CLIENT_IP_HEADER = header
    # Everyone comes from the proxy's address; the proxy says who the client was.
    for number in range(5):
        _post(Client(), "/login/", f"u{number}", "guess", **{header: "spoofed, 198.51.100.7"})
    assert _post(Client(), "/login/", "registrar", PASSWORD, **{header: "198.51.100.7"}).status_code == 429
    assert _post(Client(), "/login/", "registrar", PASSWORD, **{header: "198.51.100.8"}).status_code == 302
    assert AccessAttempt.objects.filter(ip_address="198.51.100.7").count() == 6  # the refused one too
    assert not AccessAttempt.objects.filter(ip_address="127.0.0.1").exists()  # not the proxy's address
