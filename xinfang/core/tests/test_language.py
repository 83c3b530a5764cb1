"""Every page speaks Chinese, whatever language the browser asks for."""

from __future__ import annotations

import pytest
from django.test import Client

from xinfang.testing.world import World

pytestmark = pytest.mark.django_db


def test_django_messages_are_chinese_for_a_browser_set_to_english(world: World) -> None:
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    client.force_login(world.bureau_head)
    page = client.get("/statistics/", {"period": "this_year"}).content.decode()
    assert "Select a valid choice" not in page and "选择一个有效的选项" in page
    login = Client(headers={"accept-language": "en-US"}).get("/admin/login/").content.decode()
    assert 'lang="zh-hans"' in login and "Password" not in login
