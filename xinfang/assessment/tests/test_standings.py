"""A scheme scored on a few cases worked out by hand; freezing, publishing and who sees what.

The city bureau (示例市信访局) assesses the housing bureau and the 纪委监委 over 2025 Q1:

- A: forwarded to housing, accepted 01-07, answered and delivered 01-20: closed before its due day;
- B: forwarded to housing, accepted 01-07, never answered: past its due day (March) at the period
  end; a 督办 of it opened 01-08 with feedback due 01-20 lapses on 01-21 (问责建议函 due);
- the 纪委监委 has no case due in the quarter: its 按期办结率 is empty.

So housing's 按期办结率 is 1/2 = 50%, its 被督办.问责建议函 1; the scheme (100 marks):
1. 按期办结率, linear 40% → 0, 90% → 60: housing (50 − 40)/(90 − 40) × 60 = 12.00; 纪委 empty → 60;
2. 满意率.责任单位, steps 90=40; 60=20: nobody rated, empty → 0 for both (when_empty zero);
3. 被督办.问责建议函, 5 per letter, at most 8: housing −5.00.
Totals: 纪委 60.00 (rank 1), housing 7.00 (rank 2).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from xinfang.assessment import outputs, services, standings
from xinfang.assessment.models import Scheme, SchemeItem
from xinfang.assessment.selectors import schemes_visible_to, visibility
from xinfang.assessment.services import AssessmentError
from xinfang.cases import services as case_services
from xinfang.cases.tests.helpers import a_reply, register, reply_approved
from xinfang.core.timeutil import pinned_now
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Role
from xinfang.statistics.figures import compute_report
from xinfang.statistics.indicators import Ratio
from xinfang.statistics.models import ReportTemplate
from xinfang.statistics.render import ReportTemplateError, render_text
from xinfang.supervision.services import supervisions_mark_overdue
from xinfang.testing.clock import beijing
from xinfang.testing.supervision import open_supervision
from xinfang.testing.world import World

Q1 = (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
LATER = dt.date(2025, 6, 1)


def _accepted(world: World):
    case = register(world)
    case = case_services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    return case_services.case_accept(actor=world.handler, case=case)


@pytest.fixture
def scheme(world: World) -> Scheme:
    with pinned_now(beijing("2025-01-07 09:00")):
        a = _accepted(world)
        b = _accepted(world)
    with pinned_now(beijing("2025-01-08 09:00")):
        open_supervision(world, b, feedback_due=dt.date(2025, 1, 20))
    with pinned_now(beijing("2025-01-20 09:00")):
        a = reply_approved(actor=world.handler, case=a, reply=a_reply())
        case_services.case_deliver(actor=world.handler, case=a, method="in_person")
    with pinned_now(beijing("2025-01-21 09:00")):
        supervisions_mark_overdue(today=dt.date(2025, 1, 21))
    scheme = Scheme.objects.create(org=world.city_bureau, year=2025, name="市直单位信访工作考核", top_count=1)
    scheme.units.set([world.city_housing, world.city_discipline])
    SchemeItem.objects.create(
        scheme=scheme, position=1, name="按期办结率", indicator="按期办结率", rule="linear",
        weight=Decimal(60), floor=Decimal(40), target=Decimal(90),
    )  # fmt: skip
    SchemeItem.objects.create(
        scheme=scheme, position=2, name="满意率", indicator="满意率.责任单位", rule="thresholds",
        weight=Decimal(40), steps="90=40; 60=20", when_empty="zero",
    )  # fmt: skip
    SchemeItem.objects.create(
        scheme=scheme, position=3, name="问责建议函", indicator="被督办.问责建议函", rule="per_event",
        weight=Decimal(5), cap=Decimal(8),
    )  # fmt: skip
    return scheme


def test_the_figures_behind_the_scores(world: World, scheme: Scheme) -> None:
    report = compute_report(org=world.city_housing, start=Q1[0], end=Q1[1], comparison=None)
    assert report["按期办结率"].current == Ratio(1, 2)
    assert report["被督办.问责建议函"].current == 1
    assert report["被督办.件数"].current == 1
    assert report["督办.问责建议函"].current == 0  # housing opened no supervision itself
    bureau = compute_report(org=world.city_bureau, start=Q1[0], end=Q1[1], comparison=None)
    assert bureau["督办.问责建议函"].current == 1
    assert bureau["被督办.问责建议函"].current == 0


def test_scores_worked_out_by_hand(world: World, scheme: Scheme) -> None:
    table = standings.standings(scheme, "q1", today=LATER)
    rows = [(s.row.unit_name, s.row.total, s.row.rank) for s in table.rows]
    assert rows == [("示例市纪委监委", Decimal("60.00"), 1), ("示例市住房和城乡建设局", Decimal("7.00"), 2)]
    housing = table.rows[1].row
    assert [(i.figure_text, i.points) for i in housing.items] == [
        ("50.00%", Decimal("12.00")),
        ("—", Decimal("0.00")),
        ("1份", Decimal("-5.00")),
    ]
    assert "按比例得12分（满分60分）" in housing.items[0].reason
    assert table.full_marks == Decimal(100)
    assert not table.frozen and table.differences == []
    # A year earlier nothing was counted for either unit: no rank to compare with (not "下降1位").
    assert [(s.previous_rank, s.change) for s in table.rows] == [(None, None), (None, None)]


def test_a_frozen_period_keeps_its_scores_and_shows_later_corrections(world: World, scheme: Scheme) -> None:
    with pinned_now(beijing("2025-04-02 09:00")):
        card = services.scorecard_freeze(
            user=world.bureau_head, scheme=scheme, period="q1", today=dt.date(2025, 4, 2)
        )
    # A supervision entered late, with its steps in March: a second letter against housing.
    with pinned_now(beijing("2025-03-09 09:00")):
        case = _accepted(world)
    with pinned_now(beijing("2025-03-10 09:00")):
        open_supervision(world, case, feedback_due=dt.date(2025, 3, 15))
    with pinned_now(beijing("2025-03-16 09:00")):
        supervisions_mark_overdue(today=dt.date(2025, 3, 16))
    table = standings.standings(scheme, "q1", today=LATER)
    assert table.frozen and table.card == card
    housing = next(s.row for s in table.rows if s.row.unit_name == "示例市住房和城乡建设局")
    assert housing.total == Decimal("7.00")  # the frozen table, unchanged
    changed = {(d.unit_name, d.item, d.frozen, d.live) for d in table.differences}
    assert ("示例市住房和城乡建设局", "问责建议函", "1份", "2份") in changed
    assert ("示例市住房和城乡建设局", None, "7.00分", "4.00分") in changed  # −8 at most: 12 − 8


def test_freezing_is_for_an_ended_period_once_by_the_bureau(world: World, scheme: Scheme) -> None:
    with pytest.raises(AssessmentError, match="尚未结束"):
        services.scorecard_freeze(
            user=world.bureau_head, scheme=scheme, period="q1", today=dt.date(2025, 3, 31)
        )
    with pytest.raises(AssessmentError, match="负责人或统计员"):
        services.scorecard_freeze(user=world.handler, scheme=scheme, period="q1", today=LATER)
    with pinned_now(beijing("2025-06-01 09:00")):
        services.scorecard_freeze(user=world.bureau_head, scheme=scheme, period="q1", today=LATER)
    with pytest.raises(AssessmentError, match="已经定稿"):
        services.scorecard_freeze(user=world.bureau_head, scheme=scheme, period="q1", today=LATER)


def test_a_unit_sees_its_own_row_and_the_ranking_once_published(world: World, scheme: Scheme) -> None:
    bureau, unit = world.bureau_head, world.handler
    assert list(schemes_visible_to(unit)) == [scheme]
    assert list(schemes_visible_to(world.other_clerk)) == []
    seen = visibility(unit, scheme)
    assert not seen.whole and not seen.ranking
    assert seen.sees_row(world.city_housing.pk) and not seen.sees_row(world.city_discipline.pk)
    assert visibility(bureau, scheme).whole and visibility(bureau, scheme).may_publish
    with pinned_now(beijing("2025-06-01 09:00")):
        card = services.scorecard_freeze(user=bureau, scheme=scheme, period="q1", today=LATER)
    assert not visibility(unit, scheme, card).ranking
    with pytest.raises(AssessmentError, match="负责人"):
        services.scorecard_publish(user=unit, card=card)
    card = services.scorecard_publish(user=bureau, card=card)
    assert visibility(unit, scheme, card).ranking and not visibility(unit, scheme, card).whole
    with pytest.raises(AssessmentError, match="已经发布"):
        services.scorecard_publish(user=bureau, card=card)


def test_last_years_frozen_rank_is_the_comparison(world: World, scheme: Scheme) -> None:
    older = services.scheme_copy_to_year(scheme, 2024)
    with pinned_now(beijing("2025-01-07 09:00")):
        card = services.scorecard_freeze(
            user=world.bureau_head, scheme=older, period="q1", today=dt.date(2025, 1, 7)
        )
    frozen = card.rows
    for row in frozen:
        row["rank"] = 1 if row["unit_name"] == "示例市住房和城乡建设局" else 2
    card.rows = frozen
    card.save()
    table = standings.standings(scheme, "q1", today=LATER)
    assert [(s.row.unit_name, s.previous_rank, s.change) for s in table.rows] == [
        ("示例市纪委监委", 2, 1),
        ("示例市住房和城乡建设局", 1, -1),
    ]
    with pytest.raises(AssessmentError, match="同名"):
        services.scheme_copy_to_year(scheme, 2024)
    assert [i.name for i in older.items.all()] == ["按期办结率", "满意率", "问责建议函"]


def test_indicators_are_checked() -> None:
    assert standings.check_indicator("按期办结率") == []
    assert standings.check_indicator("进京.个访.批次+进京.集访.批次") == []
    assert "没有这个统计指标" in standings.check_indicator("按时办结率")[0]
    assert "比率不能相加" in standings.check_indicator("受理率+办结率")[0]
    assert "计量单位不同" in standings.check_indicator("进京.个访.批次+进京.个访.人次")[0]


def test_the_xlsx_and_the_notice(world: World, scheme: Scheme) -> None:
    table = standings.standings(scheme, "q1", today=LATER)
    book = load_workbook(io.BytesIO(outputs.to_xlsx(table)))
    sheet = book["考核得分"]
    assert [c.value for c in sheet[2]][:4] == ["名次", "单位", "按期办结率", "得分"]
    assert [c.value for c in sheet[3]][:2] == ["1", "示例市纪委监委"] or sheet["B3"].value == "示例市纪委监委"
    assert book.sheetnames == ["考核得分", "计分说明", "考核方案"]
    template = ReportTemplate.objects.get(kind=ReportTemplate.Kind.NOTICE, name="考核结果通报（标准）")
    docx = outputs.notice_docx(
        table, title=template.title, body=template.body, author="王局长", created=beijing("2025-06-01 09:00")
    )
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "关于2025年第一季度信访工作目标管理考核结果的通报" in text
    assert "示例市纪委监委得60.00分，排第1名" in text
    assert "示例市住房和城乡建设局得7.00分，排第2名" in text  # 后列 (top_count 1)


def test_the_shipped_notice_renders_on_the_samples(db: None) -> None:
    template = ReportTemplate.objects.get(kind=ReportTemplate.Kind.NOTICE, name="考核结果通报（标准）")
    for _label, values in outputs.sample_contexts():
        text = render_text(template.body, values)
        assert "【未知" not in text
    with pytest.raises(ReportTemplateError):
        render_text("{% for %}", outputs.sample_contexts()[0][1])


def test_a_unit_assessed_is_any_org_in_the_scheme(world: World, scheme: Scheme) -> None:
    """A second member of the housing bureau, approver, sees the same as the handler."""
    user = org_services.staff_user_create(username="zj2", full_name="周二", password="x-Pass-2026-long")
    org_services.membership_grant(user=user, org=world.city_housing, role=Role.APPROVER)
    assert visibility(user, scheme).own == frozenset({world.city_housing.pk})


def test_a_notice_names_every_unit_sharing_a_place() -> None:
    rows = [
        {"名次": rank, "单位": name} for rank, name in ((1, "甲"), (1, "乙"), (3, "丙"), (4, "丁"), (4, "戊"))
    ]
    assert [r["单位"] for r in outputs._around(rows, 1, top=True)] == ["甲", "乙"]
    assert [r["单位"] for r in outputs._around(rows, 1, top=False)] == ["丁", "戊"]
    assert [r["单位"] for r in outputs._around(rows, 3, top=True)] == ["甲", "乙", "丙"]
    assert outputs._around(rows, 0, top=True) == []
    assert outputs.points_phrase(Decimal("-3.00"), deduction=True) == "扣3.00分"
    assert outputs.points_phrase(Decimal("0.00"), deduction=True) == "不扣分"
    assert outputs.points_phrase(Decimal("8.5"), deduction=False) == "得8.50分"
