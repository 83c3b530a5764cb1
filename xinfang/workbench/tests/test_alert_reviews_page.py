"""Telling the bureau about 类案预警 (the home card, the navigation badge) and recording a 研判 on the page."""

from __future__ import annotations

import re

from django.test import Client

from xinfang.orgs import services as org_services
from xinfang.orgs.models import Role, User
from xinfang.testing.world import World
from xinfang.textintel.db.alerts import raise_cluster_alerts, review_alert
from xinfang.textintel.models import AlertReview, ClusterAlert
from xinfang.textintel.tests.test_alerts import COMPLAINTS, _file


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _alert(world: World) -> ClusterAlert:
    _file(world, COMPLAINTS[:3], 0)
    [alert] = raise_cluster_alerts()
    return alert


def _row(page: str, alert: ClusterAlert) -> str:
    """The alert's card in the list (its form and errors are in it)."""
    found = re.search(rf'<article class="card alert-item" id="alert-{alert.pk}">(.*?)</article>', page, re.S)
    assert found, page
    return found.group(1)


def _card(page: str) -> str:
    """The home page's 类案预警 card, in the page's content."""
    assert "<title>工作台 · 信访事项办理系统</title>" in page
    found = re.search(
        r'<main class="page">.*<section class="card" id="alert-card">(.*?)</section>', page, re.S
    )
    assert found, page
    return found.group(1)


def _badge(page: str) -> str | None:
    found = re.search(r'<span class="nav-count"[^>]*>(\d+)</span>', page)
    return found.group(1) if found else None


def test_the_home_card_and_the_badge_tell_the_bureau(world: World) -> None:
    alert = _alert(world)
    client = _client(world.registrar)
    home = client.get("/").content.decode()
    card = _card(home)
    assert "1 条待研判" in card and alert.title in card and alert.reason in card
    assert f'href="/alerts/#alert-{alert.pk}"' in card
    assert _badge(home) == "1"
    assert _badge(client.get("/cases/").content.decode()) == "1"  # on every workbench page

    review_alert(world.registrar, alert.pk, world.city_bureau.pk, "已报分管领导")
    home = client.get("/").content.decode()
    assert "条待研判" not in home and "暂无待研判的类案预警" in _card(home)
    assert _badge(home) is None and 'class="nav-count"' not in client.get("/cases/").content.decode()
    # another organ's people are still told
    assert _badge(_client(world.leader).get("/").content.decode()) == "1"


def test_no_card_or_badge_for_those_with_nothing_to_review(world: World) -> None:
    _alert(world)
    page = _client(world.other_clerk).get("/").content.decode()
    assert "暂无待研判的类案预警" in _card(page) and _badge(page) is None
    citizen = _client(world.citizen).get("/")
    assert citizen.status_code == 200 and 'id="alert-card"' not in citizen.content.decode()
    assert _badge(citizen.content.decode()) is None
    login = Client().get("/login/")
    assert login.status_code == 200 and _badge(login.content.decode()) is None


def test_the_list_shows_the_state_and_records_a_review(world: World) -> None:
    alert = _alert(world)
    client = _client(world.registrar)
    row = _row(client.get("/alerts/").content.decode(), alert)
    assert "待研判" in row and "记录研判" in row
    assert f'action="/alerts/{alert.pk}/review/"' in row
    assert f'type="hidden" name="org_id" value="{world.city_bureau.pk}"' in row  # one organ: no select

    response = client.post(
        f"/alerts/{alert.pk}/review/", {"org_id": world.city_bureau.pk, "note": "已报分管领导"}
    )
    assert response.status_code == 302 and response["Location"] == f"/alerts/#alert-{alert.pk}"
    [review] = AlertReview.objects.all()
    assert (review.org, review.reviewed_by, review.note) == (
        world.city_bureau,
        world.registrar,
        "已报分管领导",
    )

    page = client.get("/alerts/").content.decode()
    assert "已记录示例市信访局的研判：已报分管领导" in page  # the message
    row = _row(page, alert)
    assert "已研判" in row and "待研判" not in row and "<form" not in row
    assert "示例市信访局 李登记" in row and "已报分管领导" in row


def test_a_refused_review_comes_back_on_the_form_with_the_note_kept(world: World) -> None:
    alert = _alert(world)
    client = _client(world.registrar)
    url = f"/alerts/{alert.pk}/review/"

    response = client.post(url, {"org_id": world.city_bureau.pk, "note": "  "})
    assert response.status_code == 200
    row = _row(response.content.decode(), alert)
    assert '<div class="field-error">请填写研判意见，例如：已报分管领导、已合并交办。</div>' in row

    typed = "已报分管领导" * 100  # 600 characters
    row = _row(client.post(url, {"org_id": world.city_bureau.pk, "note": typed}).content.decode(), alert)
    assert "研判意见不能超过 500 个字（现有 600 个字）。" in row and typed in row

    row = _row(
        client.post(url, {"org_id": world.city_housing.pk, "note": "已合并交办"}).content.decode(), alert
    )
    assert "只有示例市住房和城乡建设局的登记员" in row and "已合并交办" in row

    row = _row(client.post(url, {"org_id": "", "note": "已合并交办"}).content.decode(), alert)
    assert "请选择研判机构。" in row
    assert AlertReview.objects.count() == 0

    review_alert(world.bureau_head, alert.pk, world.city_bureau.pk, "已报分管领导")  # meanwhile, elsewhere
    row = _row(
        client.post(url, {"org_id": world.city_bureau.pk, "note": "已合并交办"}).content.decode(), alert
    )
    assert "示例市信访局已研判过这条类案预警（3 件），无需重复记录" in row and "已合并交办" in row
    assert f'type="hidden" name="org_id" value="{world.city_bureau.pk}"' in row
    assert AlertReview.objects.count() == 1


def test_several_organs_get_a_select(world: World) -> None:
    org_services.membership_grant(user=world.registrar, org=world.county_bureau, role=Role.HANDLER)
    alert = _alert(world)
    row = _row(_client(world.registrar).get("/alerts/").content.decode(), alert)
    assert '<select name="org_id"' in row
    assert "示例市信访局" in row and "青山县信访局" in row


def test_the_review_post_is_protected(world: World) -> None:
    alert = _alert(world)
    url = f"/alerts/{alert.pk}/review/"
    body = {"org_id": world.city_bureau.pk, "note": "已报分管领导"}
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.registrar)
    assert strict.post(url, body).status_code == 403  # no CSRF token
    assert Client().post(url, body).status_code == 302  # to the login page
    assert _client(world.citizen).post(url, body).status_code == 403
    assert _client(world.other_clerk).post(url, body).status_code == 404  # cannot see the alert
    assert _client(world.registrar).get(url).status_code == 405
    assert AlertReview.objects.count() == 0
