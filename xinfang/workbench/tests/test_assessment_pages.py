"""The assessment pages (目标考核): the schemes, a period's ranking and who sees which rows, 定稿 and
发布 with their refusals, one unit's items and the cases behind them, the .xlsx and the 通报."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from django.test import Client

from xinfang.assessment.models import RuleChoice, Scheme, SchemeItem, Scorecard
from xinfang.assessment.standings import standings
from xinfang.cases import services as case_services
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import a_reply, register, reply_approved
from xinfang.core.timeutil import pinned_now
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Role, User
from xinfang.statistics.figures import figure_cases
from xinfang.statistics.models import ReportTemplate
from xinfang.statistics.render import parse_template_file
from xinfang.supervision.services import supervisions_mark_overdue
from xinfang.testing.clock import beijing
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.supervision import open_supervision
from xinfang.testing.world import PASSWORD, World

Freeze = Callable[[str], dt.datetime]
NOTICE_TEMPLATES = Path(__file__).resolve().parents[2] / "assessment" / "notice_templates"
STANDARD = "考核结果通报（标准）"
H1 = "period=h1"
SCHEME_NAME = "示例市信访工作考核"


def shipped_notice_templates() -> None:
    """The shipped 通报 templates (a data migration; a transactional test's flush removes them)."""
    for path in sorted(NOTICE_TEMPLATES.glob("*.txt")):
        fields = parse_template_file(path.read_text(encoding="utf-8"))
        ReportTemplate.objects.get_or_create(name=fields.pop("name"), defaults=fields)


@pytest.fixture(autouse=True)
def _notice_templates(db: None) -> None:
    shipped_notice_templates()


def _staff(username: str, full_name: str, org: Any, role: str) -> User:
    user = org_services.staff_user_create(username=username, full_name=full_name, password=PASSWORD)
    org_services.membership_grant(user=user, org=org, role=role)
    return user


def build_scheme(world: World, year: int = 2025) -> Scheme:
    """The city bureau assesses three units on 按期办结率 (按比例) and 被发问责建议函 (逐项扣分)."""
    scheme = Scheme.objects.create(org=world.city_bureau, year=year, name=SCHEME_NAME, top_count=1)
    scheme.units.set([world.city_housing, world.county_labour, world.other_county_labour])
    SchemeItem.objects.create(
        scheme=scheme,
        position=1,
        name="按期办结",
        indicator="按期办结率",
        rule=RuleChoice.LINEAR,
        weight=Decimal(60),
        floor=Decimal(50),
        target=Decimal(100),
    )
    SchemeItem.objects.create(
        scheme=scheme,
        position=2,
        name="问责建议函",
        indicator="被督办.问责建议函",
        rule=RuleChoice.PER_EVENT,
        weight=Decimal(5),
        cap=Decimal(20),
    )
    return scheme


def build_cases(world: World, year: int = 2025) -> dict[str, Case]:
    """The first half of `year`: the housing bureau closes two of its three matters on time and
    lets a 督办's feedback date lapse (问责建议函); the other county's labour bureau leaves its one
    matter unanswered past its due day; the county's labour bureau has none (按满分计)."""

    def at(text: str) -> Any:
        return pinned_now(beijing(f"{year}-{text}"))

    with at("01-06 09:00"):
        late = register(world, channel="letter", subject="拖欠维修基金")
        late = case_services.case_forward(actor=world.registrar, case=late, to_org=world.city_housing)
    with at("01-07 09:00"):
        late = case_services.case_accept(actor=world.handler, case=late)
    with at("01-08 09:00"):
        open_supervision(world, late, feedback_due=dt.date(year, 1, 20))
    with at("01-21 09:00"):
        supervisions_mark_overdue(today=dt.date(year, 1, 21))
    done = []
    for day in ("02-10", "03-03"):
        with at(f"{day} 09:00"):
            case = register(world, subject=f"住房质量问题{day}")
            case = case_services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
            case = case_services.case_accept(actor=world.handler, case=case)
        with at(f"{day} 15:00"):
            case = reply_approved(actor=world.handler, case=case, reply=a_reply())
            done.append(case_services.case_deliver(actor=world.handler, case=case, method="in_person"))
    with at("01-15 09:00"):
        other = register(world, subject="工资拖欠", problem_region=world.other_county)
        other = case_services.case_forward(
            actor=world.registrar, case=other, to_org=world.other_county_labour
        )
        other = case_services.case_accept(actor=world.other_clerk, case=other)
    return {"late": late, "done": done[0], "done2": done[1], "other": other}


@pytest.fixture
def scheme(world: World, freeze: Freeze) -> Scheme:
    build_cases(world)
    found = build_scheme(world)
    freeze("2025-07-10 10:00")
    return found


@pytest.fixture
def statistician(world: World) -> User:
    return _staff("tongji", "赵统计", world.city_bureau, Role.STATS_VIEWER)


@pytest.fixture
def stranger(world: World) -> User:
    """The county bureau's head: neither above the city bureau nor one of its assessed units."""
    return _staff("county_head", "孙局长", world.county_bureau, Role.BUREAU_HEAD)


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def _ranking(scheme: Scheme, query: str = H1) -> str:
    return f"/assessment/{scheme.pk}/?{query}"


def _row_units(html: str) -> list[str]:
    """The unit names of the ranking table's rows, in order."""
    body = html.split('id="as-ranking"', 1)[1].split("</table>", 1)[0]
    return re.findall(
        r'<tr data-unit="\d+">\s*(?:<td class="num">[^<]*</td>\s*)?<td>(?:<a [^>]*>)?([^<]+)<', body
    )


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _follow(client: Client, url: str, data: dict[str, str]) -> tuple[Any, str]:
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response, response.content.decode()


# ---------------------------------------------------------------- the list and the ranking


def test_the_list_shows_the_scheme_by_year_linking_to_the_period_being_assessed(
    world: World, scheme: Scheme, stranger: User
) -> None:
    html = _page(_client(world.bureau_head), "/assessment/")
    assert "2025年度" in html and SCHEME_NAME in html
    assert f'href="/assessment/{scheme.pk}/?period=q2"' in html  # 07-10: the second quarter has ended
    assert "3 个" in html and "2 项" in html
    assert 'href="/assessment/"' in html  # the nav's 目标考核
    # a unit sees the scheme assessing it; an organ outside sees none
    assert SCHEME_NAME in _page(_client(world.approver), "/assessment/")
    assert SCHEME_NAME not in _page(_client(stranger), "/assessment/")


def test_the_bureau_sees_the_whole_ranking_with_its_chart(world: World, scheme: Scheme) -> None:
    html = _page(_client(world.bureau_head), _ranking(scheme))
    table = standings(scheme, "h1")
    names = [s.row.unit_name for s in table.rows]
    assert names == ["青山县人力资源和社会保障局", "示例市住房和城乡建设局", "河口县人力资源和社会保障局"]
    assert _row_units(html) == names
    # 按期办结率 2/3: (66.67 − 50) ÷ 50 × 60 = 20; one 问责建议函: −5
    housing = table.rows[1].row
    assert [item.points for item in housing.items] == [Decimal("20.00"), Decimal("-5.00")]
    assert housing.total == Decimal("15.00") and table.rows[0].row.total == Decimal("60.00")
    assert ">20.00</td>" in html and ">-5.00</td>" in html and ">15.00</td>" in html
    assert 'title="按期办结66.67%' in html  # the figure and the reason on hover
    assert "未定稿" in html and "数据截至 2025年6月30日" in html
    assert "名次同比" in html and "考核结果发布后可查看排名" not in html
    found = re.search(r'id="as-data" type="application/json">(.*?)</script>', html, re.S)
    assert found and "echarts.min.js" in html and "assessment.js" in html
    assert json.loads(found.group(1)) == {"names": names, "totals": [60.0, 15.0, 0.0], "fullMarks": 60.0}
    for unit in (world.city_housing, world.county_labour, world.other_county_labour):
        assert f'href="/assessment/{scheme.pk}/units/{unit.pk}/?period=h1"' in html
    assert 'id="as-xlsx"' in html and f'<option value="{STANDARD}">' in html
    assert ">定稿</button>" in html and ">发布</button>" not in html
    running = _page(_client(world.bureau_head), _ranking(scheme, "period=q3"))
    assert ">定稿</button>" not in running and "本期结束后可以定稿" in running
    # the period tabs: the periods begun by 07-10
    tabs = re.findall(r'class="tab(?: active)?" href="[^"]*period=(\w+)"', html)
    assert tabs == ["q1", "q2", "q3", "h1", "year"]
    assert f'class="tab active" href="/assessment/{scheme.pk}/?period=h1"' in html


def test_without_a_period_the_page_shows_the_one_being_assessed_and_a_bad_one_is_not_found(
    world: World, scheme: Scheme
) -> None:
    client = _client(world.bureau_head)
    html = _page(client, f"/assessment/{scheme.pk}/")
    assert "2025年第二季度" in html and 'class="tab active" href="/assessment/' in html
    assert f'class="tab active" href="/assessment/{scheme.pk}/?period=q2"' in html
    for period in ("q9", "Q2", "q4"):  # unknown, and not yet begun on 07-10
        assert client.get(_ranking(scheme, f"period={period}")).status_code == 404
        assert client.get(f"/assessment/{scheme.pk}/xlsx/?period={period}").status_code == 404


def test_a_unit_sees_only_its_own_row_until_the_ranking_is_published(
    world: World, scheme: Scheme, statistician: User
) -> None:
    client = _client(world.approver)
    html = _page(client, _ranking(scheme))
    assert _row_units(html) == ["示例市住房和城乡建设局"]
    assert "考核结果发布后可查看排名" in html
    assert "青山县人力资源和社会保障局" not in html and "河口县" not in html
    assert 'id="as-data"' not in html and 'id="as-xlsx"' not in html and "名次同比" not in html
    assert ">定稿</button>" not in html
    assert client.get(f"/assessment/{scheme.pk}/xlsx/?{H1}").status_code == 403
    assert client.get(f"/assessment/{scheme.pk}/notice/?{H1}").status_code == 403
    # frozen, not yet published: still its own row only
    _follow(_client(statistician), f"/assessment/{scheme.pk}/freeze/", {"period": "h1"})
    assert _row_units(_page(client, _ranking(scheme))) == ["示例市住房和城乡建设局"]
    _follow(_client(world.bureau_head), f"/assessment/{scheme.pk}/publish/", {"period": "h1"})
    html = _page(client, _ranking(scheme))
    assert _row_units(html) == [
        "青山县人力资源和社会保障局",
        "示例市住房和城乡建设局",
        "河口县人力资源和社会保障局",
    ]
    assert "考核结果发布后可查看排名" not in html and 'id="as-data"' in html
    # it links to its own unit page only
    assert f"/units/{world.city_housing.pk}/?period=h1" in html
    assert f"/units/{world.county_labour.pk}/" not in html
    assert client.get(f"/assessment/{scheme.pk}/xlsx/?{H1}").status_code == 200
    # another period is not published: its own row again
    assert _row_units(_page(client, _ranking(scheme, "period=q1"))) == ["示例市住房和城乡建设局"]


def test_an_organ_outside_the_scheme_gets_not_found(world: World, scheme: Scheme, stranger: User) -> None:
    client = _client(stranger)
    unit = world.city_housing.pk
    for url in (
        _ranking(scheme),
        f"/assessment/{scheme.pk}/units/{unit}/?{H1}",
        f"/assessment/{scheme.pk}/units/{unit}/cases/?{H1}&key={quote('按期办结率')}",
        f"/assessment/{scheme.pk}/xlsx/?{H1}",
        f"/assessment/{scheme.pk}/notice/?{H1}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/assessment/{scheme.pk}/freeze/", {"period": "h1"}).status_code == 404
    assert not Scorecard.objects.exists()
    assert _client(world.citizen).get("/assessment/").status_code == 403
    assert Client().get("/assessment/").status_code == 302  # to the login page
    Scheme.objects.filter(pk=scheme.pk).update(is_active=False)
    assert _client(world.bureau_head).get(_ranking(scheme)).status_code == 404


# ---------------------------------------------------------------- 定稿 and 发布


def test_freeze_then_publish_and_the_refusals(world: World, scheme: Scheme, statistician: User) -> None:
    freeze_url, publish_url = f"/assessment/{scheme.pk}/freeze/", f"/assessment/{scheme.pk}/publish/"
    head, stats, unit = _client(world.bureau_head), _client(statistician), _client(world.approver)

    response, html = _follow(unit, freeze_url, {"period": "h1"})
    assert _messages(response) == ["只有考核机构的负责人或统计员可以定稿。"]
    response, _ = _follow(head, freeze_url, {"period": "q3"})
    assert _messages(response) == ["2025年第三季度尚未结束，结束后才能定稿。"]
    response, _ = _follow(head, publish_url, {"period": "h1"})
    assert _messages(response) == ["该期考核得分尚未定稿，定稿后才能发布。"]
    assert not Scorecard.objects.exists()

    response, html = _follow(stats, freeze_url, {"period": "h1"})
    assert response.redirect_chain[-1][0] == _ranking(scheme)
    assert _messages(response) == ["2025年上半年考核得分已定稿。"]
    assert "已定稿" in html and "赵统计 于 2025-07-10 10:00 定稿" in html and "未发布" in html
    assert ">定稿</button>" not in html and ">发布</button>" not in html  # a statistician does not publish
    card = Scorecard.objects.get()
    assert (card.period, card.frozen_by) == ("h1", statistician)
    response, _ = _follow(head, freeze_url, {"period": "h1"})
    assert _messages(response) == ["2025年上半年已经定稿。"]
    response, _ = _follow(stats, publish_url, {"period": "h1"})
    assert _messages(response) == ["只有考核机构的负责人可以发布考核结果。"]

    html = _page(head, _ranking(scheme))
    assert ">发布</button>" in html and ">定稿</button>" not in html
    response, html = _follow(head, publish_url, {"period": "h1"})
    assert _messages(response) == ["2025年上半年考核结果已发布，被考核单位可以查看排名。"]
    assert "已发布" in html and "王局长 于 2025-07-10 10:00 发布" in html and ">发布</button>" not in html
    response, _ = _follow(head, publish_url, {"period": "h1"})
    assert _messages(response) == ["该期考核结果已经发布。"]
    assert head.get(freeze_url).status_code == 405  # an action is a POST


def test_a_frozen_period_lists_what_changed_since(world: World, scheme: Scheme) -> None:
    client = _client(world.bureau_head)
    _follow(client, f"/assessment/{scheme.pk}/freeze/", {"period": "h1"})
    assert "定稿后数据变动" not in _page(client, _ranking(scheme))
    SchemeItem.objects.filter(scheme=scheme, name="问责建议函").update(weight=Decimal(10))
    html = _page(client, _ranking(scheme))
    assert ">15.00</td>" in html  # the frozen total stands
    changes = html.split('id="as-differences"', 1)[1].split("</table>", 1)[0]
    assert "示例市住房和城乡建设局" in changes
    assert "问责建议函（得分）" in changes and "-5.00分" in changes and "-10.00分" in changes
    assert "<td>总分</td><td>15.00分</td><td>10.00分</td>" in changes
    # the unit sees its own changes once published, not another unit's
    unit_page = _page(client, f"/assessment/{scheme.pk}/units/{world.city_housing.pk}/?{H1}")
    assert "定稿后数据变动" in unit_page and "-10.00分" in unit_page


# ---------------------------------------------------------------- a unit and its cases


def test_a_units_page_shows_its_items_and_links_to_their_cases(world: World, scheme: Scheme) -> None:
    html = _page(_client(world.approver), f"/assessment/{scheme.pk}/units/{world.city_housing.pk}/?{H1}")
    items = html.split('id="as-items"', 1)[1].split("</table>", 1)[0]
    assert "按期办结" in items and "66.67%" in items and "20.00 / 60.00" in items
    assert "问责建议函" in items and "1份" in items and "-5.00 / 扣分项" in items
    assert "介于底线" in items  # the reason
    assert ">15.00<" in html and "第 <strong" not in html  # no rank before publishing
    links = re.findall(r'href="([^"]+)" class="as-drill">查看信访件<', items)
    keys = [unquote(link.split("key=", 1)[1]) for link in links]
    assert keys == ["按期办结率", "被督办.问责建议函"]
    # another unit's page is not found for this unit, and an organ not in the scheme neither
    client = _client(world.approver)
    assert client.get(f"/assessment/{scheme.pk}/units/{world.county_labour.pk}/?{H1}").status_code == 404
    head = _client(world.bureau_head)
    assert head.get(f"/assessment/{scheme.pk}/units/{world.county_labour.pk}/?{H1}").status_code == 200
    assert head.get(f"/assessment/{scheme.pk}/units/{world.county_gov.pk}/?{H1}").status_code == 404


def test_the_cases_behind_a_figure_are_those_the_user_may_see(world: World, scheme: Scheme) -> None:
    cases = Case.objects.all()
    assert cases.count() == 4
    client = _client(world.approver)
    unit_page = _page(client, f"/assessment/{scheme.pk}/units/{world.city_housing.pk}/?{H1}")
    link = re.search(r'href="([^"]+)" class="as-drill">查看信访件<', unit_page)
    assert link
    html = _page(client, link.group(1).replace("&amp;", "&"))
    expected = figure_cases(
        world.approver,
        org=world.city_housing,
        key="按期办结率",
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 6, 30),
    )
    numbers = set(re.findall(r'/cases/\d+/">([^<]+)</a>', html))
    assert numbers == {case.number for case in expected} and len(numbers) == 3
    other = Case.objects.get(subject="工资拖欠")
    assert other.number not in html
    assert "共 3 件" in html and "按期办结率（计算基数）" in html
    # the other county's clerk sees its own unit's case, and nothing of the housing bureau's
    clerk = _client(world.other_clerk)
    base = f"/assessment/{scheme.pk}/units"
    own = _page(clerk, f"{base}/{world.other_county_labour.pk}/cases/?{H1}&key={quote('按期办结率')}")
    assert other.number in own and "共 1 件" in own
    assert (
        clerk.get(f"{base}/{world.city_housing.pk}/cases/?{H1}&key={quote('按期办结率')}").status_code == 404
    )
    # a figure that is none of the scheme's items', or has no cases, is not found
    head = _client(world.bureau_head)
    for key in ("信访总量.件次", "nothing"):
        url = f"{base}/{world.city_housing.pk}/cases/?{H1}&key={quote(key)}"
        assert head.get(url).status_code == 404, key
    letters = _page(head, f"{base}/{world.city_housing.pk}/cases/?{H1}&key={quote('被督办.问责建议函')}")
    assert Case.objects.get(subject="拖欠维修基金").number in letters and "共 1 件" in letters


# ---------------------------------------------------------------- the files


def _filename(response: Any) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=UTF-8''")
    return unquote(disposition.split("''", 1)[1])


def test_the_xlsx_has_the_table(world: World, scheme: Scheme) -> None:
    import openpyxl

    response = _client(world.bureau_head).get(f"/assessment/{scheme.pk}/xlsx/?{H1}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert _filename(response) == "2025年上半年考核得分.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book["考核得分"].iter_rows(values_only=True))
    assert rows[1][:2] == ("名次", "单位") and "总分" in rows[1]
    total = rows[1].index("总分")
    assert [(row[0], row[1], row[total]) for row in rows[2:5]] == [
        (1, "青山县人力资源和社会保障局", 60),
        (2, "示例市住房和城乡建设局", 15),
        (3, "河口县人力资源和社会保障局", 0),
    ]


def test_the_notice_names_the_first_unit(world: World, scheme: Scheme) -> None:
    import docx

    response = _client(world.bureau_head).get(
        f"/assessment/{scheme.pk}/notice/?{H1}&template={quote(STANDARD)}"
    )
    assert response.status_code == 200, response.content.decode()[:1000]
    assert (
        response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert _filename(response) == "2025年上半年考核结果通报.docx"
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "关于2025年上半年信访工作目标管理考核结果的通报" in text
    assert "青山县人力资源和社会保障局得60.00分，排第1名" in text
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "示例市住房和城乡建设局" in cells
    # without a choice, the first active template
    assert _client(world.bureau_head).get(f"/assessment/{scheme.pk}/notice/?{H1}").status_code == 200


def test_a_bad_notice_template_is_a_message_not_a_crash(world: World, scheme: Scheme) -> None:
    client = _client(world.bureau_head)
    response = client.get(f"/assessment/{scheme.pk}/notice/?{H1}&template={quote('没有的模板')}")
    assert response.status_code == 400
    assert "没有启用的考核通报模板“没有的模板”，请重新选择模板。" in response.content.decode()
    ReportTemplate.objects.create(
        name="坏通报", kind=ReportTemplate.Kind.NOTICE, title="通报", body="第一行\n{% for %}"
    )
    response = client.get(f"/assessment/{scheme.pk}/notice/?{H1}&template={quote('坏通报')}")
    html = response.content.decode()
    assert response.status_code == 400 and "考核通报模板“坏通报”模板第2行有误" in html
    assert f'href="/assessment/{scheme.pk}/?period=h1"' in html  # back to the ranking
    # a work report's template is not a 通报's
    report = ReportTemplate.objects.filter(kind=ReportTemplate.Kind.REPORT).first()
    if report is not None:
        response = client.get(f"/assessment/{scheme.pk}/notice/?{H1}&template={quote(report.name)}")
        assert response.status_code == 400
    ReportTemplate.objects.filter(kind=ReportTemplate.Kind.NOTICE).update(is_active=False)
    response = client.get(f"/assessment/{scheme.pk}/notice/?{H1}")
    assert (
        response.status_code == 400
        and "没有启用的考核通报模板：请在后台启用一个。" in response.content.decode()
    )
    assert "没有启用的考核通报模板" in _page(client, _ranking(scheme))


def test_the_table_is_computed_once_per_request(world: World, scheme: Scheme, monkeypatch: Any) -> None:
    from xinfang.assessment import standings as standings_module

    calls: list[str] = []
    compute = standings_module.compute_report

    def counted(**kwargs: Any) -> Any:
        calls.append(kwargs["org"].name)
        return compute(**kwargs)

    monkeypatch.setattr(standings_module, "compute_report", counted)
    client = _client(world.bureau_head)
    _page(client, _ranking(scheme))
    assert len(calls) == 3  # one report per assessed unit (同比 included)
    calls.clear()
    _page(
        client, f"/assessment/{scheme.pk}/units/{world.city_housing.pk}/cases/?{H1}&key={quote('按期办结率')}"
    )
    assert calls == []  # the cases need the dates only
