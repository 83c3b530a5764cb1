"""The demo's bulletins (xinfang.demo.bulletins): two issued 信访简报 and one 信访动态, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from xinfang.bulletins.models import Bulletin, BulletinItem, Kind, Status
from xinfang.cases import services as case_services
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import category
from xinfang.demo.bulletins import load_bulletins
from xinfang.demo.generator import load_demo
from xinfang.orgs.models import Org, Region, User
from xinfang.testing.world import World
from xinfang.textintel.db.alerts import raise_cluster_alerts

Freeze = Callable[[str], dt.datetime]


def _cases(freeze: Freeze) -> None:
    bureau = Org.objects.get(name="示例市信访局")
    clerk = User.objects.get(username="dengji")
    county = Region.objects.get(code="990121")
    for day in ("2026-04-08 10:00", "2026-04-09 10:00", "2026-04-10 10:00", "2026-05-06 10:00"):
        freeze(day)
        case_services.case_register(
            actor=clerk,
            org=bureau,
            channel="visit",
            nature="appeal",
            category=category("030100"),
            subject="钱八反映幸福里小区电梯长期停运",
            content="钱八等住户反映幸福里小区电梯停运三个月，物业拒不维修，请求督促解决。",
            problem_region=county,
            petitioners=[PetitionerInput(name="钱八", id_number="", phone="", address="幸福里小区1栋")],
        )
        if day.startswith("2026-04-10"):
            raise_cluster_alerts()  # the daily job, after the third similar case


def test_the_demo_writes_two_briefs_and_a_dynamics_issue_once(db: None, freeze: Freeze) -> None:
    load_demo()
    _cases(freeze)
    moment = freeze("2026-06-03 09:00")
    load_bulletins(moment)

    briefs = list(Bulletin.objects.filter(kind=Kind.BRIEF).order_by("number"))
    assert [(b.number, b.period_start, b.status) for b in briefs] == [
        (1, dt.date(2026, 4, 1), Status.ISSUED),
        (2, dt.date(2026, 5, 1), Status.ISSUED),
    ]
    april = briefs[0]
    assert april.title == "2026年4月信访工作情况" and april.notable.count() == 2
    assert "本期共3件" in april.body  # the 类案预警 of April is the month's hot issue
    news = Bulletin.objects.get(kind=Kind.DYNAMICS)
    assert news.issue_label == "2026年第1期" and news.period_start == dt.date(2026, 5, 1)
    items = list(news.items.all())
    assert len(items) == 4
    assert {bool(i.source_case_id) for i in items} == {True, False}
    assert any(i.source_alert_id for i in items)
    texts = [b.title + b.body for b in Bulletin.objects.all()] + [i.title + i.body for i in items]
    texts += [row.note for b in briefs for row in b.notable.all()]
    assert not any("钱八" in text for text in texts) and any("钱*" in text for text in texts)

    load_bulletins(moment)  # again: nothing added
    assert Bulletin.objects.count() == 3 and BulletinItem.objects.count() == 4


def test_without_the_demo_organs_nothing_is_written(world: World, freeze: Freeze) -> None:
    load_bulletins(freeze("2026-06-03 09:00"))
    assert not Bulletin.objects.exists()
