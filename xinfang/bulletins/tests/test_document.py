"""The .docx of a bulletin, read back: masthead, number, organ and date, sections, masked names."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

from docx import Document
from docx.oxml.ns import qn

from xinfang.bulletins import services
from xinfang.bulletins.document import filename, render_bulletin
from xinfang.bulletins.tests.helpers import alert, brief, dynamics, issue, review
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import register
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]


def _texts(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs if p.text.strip()]


def test_an_issued_brief_prints_its_masthead_sections_and_no_petitioners_name(
    world: World, freeze: Freeze
) -> None:
    freeze("2026-02-10 10:00")
    people = [PetitionerInput(name="王五", id_number="", phone="", address="青山县幸福路3号")]
    cases = [register(world, subject="王五等反映幸福里小区停车难", petitioners=people) for _ in range(3)]
    review(world, alert(cases, title="王五等反映幸福里小区停车难", place="青山县幸福里小区"), "已转县住建局")
    freeze("2026-03-10 10:00")
    bulletin = brief(world)
    services.bulletin_add_case(
        actor=world.registrar, bulletin=bulletin, case_number=cases[0].number, note="王五表示满意"
    )
    issued = issue(world, bulletin)

    data = render_bulletin(issued)
    document = Document(io.BytesIO(data))
    texts = _texts(data)
    assert document.core_properties.title == "2026年2月信访工作情况"
    assert document.core_properties.author == "示例市信访局"
    assert texts[:4] == ["信访简报", "第1期", "示例市信访局编\t2026年3月10日", "2026年2月信访工作情况"]
    assert [t for t in texts if t[1:2] == "、"] == ["一、本期信访情况", "二、热点问题", "三、典型案例"]
    assert any(
        t.startswith("（一）王*等反映幸福里小区停车难。涉及青山县幸福里小区，本期共3件") for t in texts
    )
    assert any("王*表示满意。" in t for t in texts)
    assert not any("王五" in t for t in texts)
    # the red rule is under the organ and the date, not under the number
    paragraphs = document.paragraphs
    rule_under = [
        p.text for p in paragraphs if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None
    ]
    assert rule_under == ["示例市信访局编\t2026年3月10日"]
    assert filename(issued) == "信访简报2026年第1期.docx"


def test_a_dynamics_issue_prints_its_items_numbered(world: World, freeze: Freeze) -> None:
    freeze("2026-03-10 10:00")
    news = dynamics(world)
    for title, body in (
        ("市信访局开展领导接访", "3月5日，副市长接待群众。\n现场解决两件。"),
        ("信访法治宣传月", "内容。"),
    ):
        item = services.item_create(actor=world.registrar, org=world.city_bureau, title=title, body=body)
        services.item_collect(actor=world.registrar, bulletin=news, item_ids=[item.pk])
    texts = _texts(render_bulletin(issue(world, news)))
    assert texts[:4] == ["信访动态", "第1期", "示例市信访局编\t2026年3月10日", "2026年2月信访动态"]
    assert texts[4:9] == [
        "一、市信访局开展领导接访",
        "3月5日，副市长接待群众。",
        "现场解决两件。",
        "二、信访法治宣传月",
        "内容。",
    ]


def test_a_draft_prints_as_a_draft(world: World, freeze: Freeze) -> None:
    freeze("2026-03-10 10:00")
    draft = brief(world)
    texts = _texts(render_bulletin(draft))
    assert texts[:3] == ["信访简报", "（草稿）", "示例市信访局编\t草稿"]
    assert filename(draft) == "信访简报（草稿）2026年2月信访工作情况.docx"
