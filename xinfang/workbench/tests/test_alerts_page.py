"""The 类案预警 page: staff only, the alerts the user may see, with links to the visible cases."""

from __future__ import annotations

from django.test import Client

from xinfang.core.timeutil import LOCAL_TZ
from xinfang.orgs.models import User
from xinfang.testing.world import World
from xinfang.textintel.db.alerts import raise_cluster_alerts
from xinfang.textintel.models import ClusterAlert
from xinfang.textintel.tests.test_alerts import COMPLAINTS, UNRELATED, _file


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_lists_the_alerts_with_links_to_the_cases(world: World) -> None:
    cases = _file(world, COMPLAINTS[:3] + UNRELATED, 0)
    [alert] = raise_cluster_alerts()
    response = _client(world.registrar).get("/alerts/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "类案预警" in page and alert.title in page and "新出现的类案" in page
    assert alert.first_raised_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") in page
    for case in cases[:3]:
        assert f'href="/cases/{case.pk}/"' in page and case.number in page
    for case in cases[3:]:
        assert case.number not in page
    assert 'href="/alerts/"' in page  # the navigation link
    assert ClusterAlert.objects.count() == 1


def test_others_see_no_alert_about_cases_they_cannot_see(world: World) -> None:
    cases = _file(world, COMPLAINTS[:3], 0)
    raise_cluster_alerts()
    page = _client(world.other_clerk).get("/alerts/").content.decode()
    assert "暂无类案预警" in page
    assert not any(case.number in page for case in cases)


def test_the_page_is_for_staff_only(world: World) -> None:
    response = Client().get("/alerts/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert _client(world.citizen).get("/alerts/").status_code == 403
