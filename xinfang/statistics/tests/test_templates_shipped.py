"""The shipped report templates: each renders on a realistic and an all-zero report in the shapes of
the bureaus' reports; a fresh installation has them; the back office checks and previews them."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.test import Client

from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant
from xinfang.statistics.figure import Row
from xinfang.statistics.indicators import Comparison, Ratio
from xinfang.statistics.models import ReportTemplate
from xinfang.statistics.render import render, shipped_templates, unknown_names
from xinfang.statistics.render_sample import empty_report, sample_report
from xinfang.testing.world import World

SHIPPED = {template["name"]: template for template in shipped_templates()}
HALF_YEAR, RECEPTION, COUNTY = "半年工作总结统计部分", "接访年度总结", "县级信访工作总结"


def _text(name: str, **kwargs: object) -> str:
    template = SHIPPED[name]
    return render(template["title"], template["body"], sample_report(**kwargs)).text  # type: ignore[arg-type]


def test_at_least_the_three_shapes_are_shipped() -> None:
    assert {HALF_YEAR, RECEPTION, COUNTY} <= SHIPPED.keys()


@pytest.mark.parametrize("name", sorted(SHIPPED))
@pytest.mark.parametrize("comparison", [Comparison.YOY, Comparison.MOM, None])
def test_every_shipped_template_renders_on_real_and_empty_reports(
    name: str, comparison: Comparison | None
) -> None:
    template = SHIPPED[name]
    for report in (sample_report(comparison=comparison), empty_report(comparison=comparison)):
        rendered = render(template["title"], template["body"], report)
        assert rendered.title and rendered.text
        assert not unknown_names(rendered.title + rendered.text)
        assert "None" not in rendered.text


def test_half_year_summary_reads_like_the_bureaus_report() -> None:
    text = _text(HALF_YEAR)
    assert "2025年1~6月，示例市受理群众信访事项4,210件次6,835人次，同比件次减少3.2%，人次减少5.1%。" in text
    assert "其中群众来信1,102件次，同比减少8.4%；" in text
    assert "群众来访1,530批2,981人次，同比分别减少2.0%和上升1.7%。" in text
    assert "越级访35批61人次，按批次同比下降20.5%；集体访58批1,204人次，按批次同比上升5.5%。" in text
    assert (
        "集中在城乡建设、政法、自然资源、农村农业、劳动和社会保障等领域，以上5类信访问题占总量的68.5%（约七成）"
        in text
    )
    assert "初次信访事项一次性化解率94.65%" in text
    assert "督办提醒函45份、问责建议函25份" in text


def test_reception_summary_compares_each_place_with_last_year() -> None:
    text = _text(RECEPTION)
    assert "共发生赴京集体上访登记41批187人，与去年同期52批240人相比，批数下降21.2%，人数下降22.1%；" in text
    assert "到省集访登记122批1,406人，与去年同期130批1,512人相比" in text
    assert "来市集访97批2,315人" in text and "来市个访812批1,090人" in text
    assert "集体访主要集中在城乡建设（17批，占29.3%）、自然资源（12批，占20.7%）" in text


def test_county_summary_has_the_four_rates() -> None:
    text = _text(COUNTY)
    assert text.startswith(
        "截至6月30日，示例市信访总量4,210件次，其中信访窗口接待来访群众1,530批次2,981人次，来信1,102件"
    )
    assert "受理率100.00％，办结率96.16％；满意度件1,421件，已办结1,350件，未办结71件，已评价1,202件" in text
    assert "满意率为99.00％，参评率89.0％。" in text


def test_county_summary_writes_equal_rates_once() -> None:
    report = sample_report()
    figures = {**report.figures, "办结率": replace(report.figures["办结率"], current=Ratio(3850, 3850))}
    county = SHIPPED[COUNTY]
    text = render(county["title"], county["body"], replace(report, figures=figures)).text
    assert "网上信访1,421件，受理率、办结率均为100.00％；" in text


def test_a_period_without_cases_says_so() -> None:
    template = SHIPPED[RECEPTION]
    text = render(template["title"], template["body"], empty_report()).text
    assert "赴京集体上访登记0批0人，去年同期为零；" in text
    assert "本期没有集体访。" in text
    county = SHIPPED[COUNTY]
    assert "受理率、办结率均为—" in render(county["title"], county["body"], empty_report()).text


# --- in the database and the back office -------------------------------------------------------------


def test_a_fresh_installation_has_the_shipped_templates(db: None) -> None:
    stored = {template.name: template for template in ReportTemplate.objects.all()}
    assert SHIPPED.keys() <= stored.keys()
    assert stored[HALF_YEAR].body == SHIPPED[HALF_YEAR]["body"]
    assert all(template.is_active for template in stored.values())


def _admin(world: World) -> Client:
    membership_grant(user=world.bureau_head, org=world.city_bureau, role=Role.ADMIN)
    client = Client()
    client.force_login(world.bureau_head)
    return client


def _form(template: ReportTemplate, **changes: str) -> dict[str, str]:
    data = {
        "name": template.name,
        "kind": template.kind,
        "title": template.title,
        "description": template.description,
        "body": template.body,
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_the_change_page_previews_the_template_on_sample_figures(world: World) -> None:
    template = ReportTemplate.objects.get(name=RECEPTION)
    page = _admin(world).get(f"/admin/statistics/reporttemplate/{template.pk}/change/").content.decode()
    assert "预览（示例数据）" in page
    assert "与去年同期52批240人相比，批数下降21.2%，人数下降22.1%" in page


def test_a_broken_template_is_refused_with_its_line_not_a_500(world: World) -> None:
    template = ReportTemplate.objects.get(name=COUNTY)
    client = _admin(world)
    url = f"/admin/statistics/reporttemplate/{template.pk}/change/"
    response = client.post(url, _form(template, body="第一行\n{{ 受理率|不存在 }}\n"))
    assert response.status_code == 200
    assert "模板第2行有误" in response.content.decode()
    response = client.post(url, _form(template, body="一\n二\n{% for row in 内容分类 %}"))
    assert response.status_code == 200
    assert "模板第3行有误" in response.content.decode()
    template.refresh_from_db()
    assert template.body == SHIPPED[COUNTY]["body"]


def test_a_bureau_edits_the_wording_of_a_copy(world: World) -> None:
    client = _admin(world)
    original = ReportTemplate.objects.get(name=COUNTY)
    response = client.post(
        "/admin/statistics/reporttemplate/",
        {"action": "copy_templates", "_selected_action": [str(original.pk)]},
    )
    assert response.status_code == 302
    copy = ReportTemplate.objects.get(name=f"{COUNTY}（副本）")
    assert copy.body == original.body and not copy.is_active
    body = copy.body.replace("信访总量", "全县信访总量", 1)
    response = client.post(f"/admin/statistics/reporttemplate/{copy.pk}/change/", _form(copy, body=body))
    assert response.status_code == 302
    copy.refresh_from_db()
    assert "全县信访总量4,210件次" in render(copy.title, copy.body, sample_report()).text


def test_unsaved_edits_are_previewed_without_saving(world: World) -> None:
    client = _admin(world)
    template = ReportTemplate.objects.get(name=COUNTY)
    page = client.get(f"/admin/statistics/reporttemplate/{template.pk}/change/").content.decode()
    assert "预览修改（不保存）" in page
    url = "/admin/statistics/reporttemplate/preview/"
    response = client.post(
        url, {"title": "{{ 单位 }}报告", "body": "全县信访总量{{ 信访总量.件次 }}件次{{ 受理率|同比 }}"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "示例市报告" in page and "全县信访总量4,210件次持平" in page and "全县信访总量0件次—" in page
    broken = client.post(url, {"title": "报告", "body": "一\n{% 对比句 %}"}).content.decode()
    assert "模板第2行有误" in broken
    unknown = client.post(url, {"title": "报告", "body": "{{ 来访.集体方.批次 }}"}).content.decode()
    assert "未知的名称：来访.集体方.批次" in unknown
    template.refresh_from_db()
    assert template.body == SHIPPED[COUNTY]["body"]


def test_the_preview_is_for_staff_who_may_edit_templates(world: World) -> None:
    client = Client()
    client.force_login(world.bureau_head)
    response = client.post("/admin/statistics/reporttemplate/preview/", {"title": "x", "body": "x"})
    assert response.status_code in (302, 403)


def test_reception_summary_without_collective_visits_per_category() -> None:
    report = sample_report()
    rows = tuple(
        Row(row.code, row.label, {k: f for k, f in row.figures.items() if k.startswith("信访总量")})
        for row in report.breakdowns["内容分类"]
    )
    report = replace(report, breakdowns={**report.breakdowns, "内容分类": rows})
    template = SHIPPED[RECEPTION]
    text = render(template["title"], template["body"], report).text
    assert "信访问题主要集中在城乡建设（占24.0%）、政法（占15.2%）" in text
    assert "本期没有集体访" not in text
