"""The citizen portal shows the published leaders' reception days, and only those."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client

from xinfang.leadership.services.reception import reception_day_cancel
from xinfang.leadership.tests.test_reception import schedule
from xinfang.testing.clock import beijing
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]


def test_published_days_are_listed_for_anyone(world: World, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    schedule(world)
    schedule(
        world,
        published=False,
        place="内部接访点",
        starts_at=beijing("2025-03-11 09:00"),
        ends_at=beijing("2025-03-11 11:00"),
    )
    cancelled = schedule(
        world,
        place="取消的接访点",
        starts_at=beijing("2025-03-12 09:00"),
        ends_at=beijing("2025-03-12 11:00"),
    )
    reception_day_cancel(actor=world.bureau_head, day=cancelled, reason="改期")
    page = Client().get("/portal/reception-days/").content.decode()
    assert (
        "2025年3月10日 09:00—12:00" in page and "陈副市长（副市长）" in page and "住房保障、征地拆迁" in page
    )
    assert "内部接访点" not in page and "取消的接访点" not in page
    home = Client().get("/portal/").content.decode()
    assert "近期领导接访安排" in home and "示例市群众来访接待中心" in home
    freeze("2025-03-10 12:30")
    assert "近期没有公布的领导接访安排" in Client().get("/portal/reception-days/").content.decode()
