"""The statistics page (统计分析): filters and their errors, the cards, the cases behind a figure,
the downloads, who may see which organisation; and the page in a browser (charts drawn)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

import pytest
from django.core.management import call_command
from django.test import Client

from xinfang.cases import services as case_services
from xinfang.cases.tests.helpers import register
from xinfang.core.timeutil import pinned_now
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Role, User
from xinfang.statistics.access import reportable_orgs
from xinfang.statistics.figures import compute_report, figure_cases
from xinfang.statistics.indicators import Comparison
from xinfang.statistics.models import ReportJob, ReportTemplate
from xinfang.statistics.render import shipped_templates
from xinfang.statistics.render_context import FigureView
from xinfang.statistics.tasks import write_report_file
from xinfang.statistics.templatetags.report_tags import compared
from xinfang.testing.clock import beijing
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import PASSWORD, World
from xinfang.workbench.statistics import ORG_REFUSED, quick_period

Freeze = Callable[[str], dt.datetime]
FIRST_HALF = "start=2025-01-01&end=2025-06-30&compare=yoy"


def _statistician(world: World) -> User:
    user = org_services.staff_user_create(username="tongji", full_name="赵统计", password=PASSWORD)
    org_services.membership_grant(user=user, org=world.city_bureau, role=Role.STATS_VIEWER)
    return user


@pytest.fixture(autouse=True)
def _shipped_templates(db: None) -> None:
    """The shipped report templates, which a transactional test's flush removes for the next test."""
    for fields in shipped_templates():
        ReportTemplate.objects.get_or_create(name=fields["name"], defaults=fields)


@pytest.fixture
def cases(world: World, freeze: Freeze) -> dict[str, Any]:
    """Three matters about the city's counties this half-year, one last year (for 同比)."""
    with pinned_now(beijing("2025-03-03 09:00")):
        visit = register(world, headcount=6, problem_region=world.county)
        case_services.case_forward(actor=world.registrar, case=visit, to_org=world.city_housing)
    with pinned_now(beijing("2025-03-10 09:00")):
        letter = register(world, channel="letter", problem_region=world.other_county, subject="工资拖欠")
    with pinned_now(beijing("2025-04-01 09:00")):
        other = register(world, headcount=1, problem_region=world.county, subject="道路破损")
    with pinned_now(beijing("2024-03-05 09:00")):
        old = register(world, channel="letter", problem_region=world.county)
    freeze("2025-07-10 10:00")
    return {"visit": visit, "letter": letter, "other": other, "old": old}


def _page(client: Client, query: str) -> str:
    response = client.get(f"/statistics/?{query}")
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def _card_value(html: str, key: str) -> str:
    found = re.search(rf'data-key="{re.escape(key)}">([^<]+)</a>', html)
    assert found, key
    return found.group(1)


# ---------------------------------------------------------------- the page and its filters


def test_the_page_shows_the_cards_of_the_chosen_period_with_their_change(world: World, cases: Any) -> None:
    html = _page(_client(world.bureau_head), f"org={world.city_bureau.pk}&{FIRST_HALF}")
    report = compute_report(
        org=world.city_bureau, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30), comparison=Comparison.YOY
    )
    assert report["信访总量.件次"].current == 3 and report["来信.件次"].current == 1
    assert _card_value(html, "信访总量.件次") == "3"
    assert _card_value(html, "来信.件次") == "1"
    assert _card_value(html, "来访.批次") == "2" and _card_value(html, "来访.人次") == "7"
    for key in ("重复率", "受理率", "按期办结率", "满意率.信访部门", "网上信访.件次", "来访.集体访.批次"):
        assert _card_value(html, key) == str(FigureView(report[key], Comparison.YOY))
    # The change is the report vocabulary's own wording (one letter last year, one this year).
    letters = compared(FigureView(report["来信.件次"], Comparison.YOY))
    assert letters and letters in html
    assert "示例市信访局 · 2025年1~6月 · 对比 2024年1~6月" in html
    assert 'href="/statistics/"' in html and "统计分析" in html  # the nav link
    assert 'id="stat-data"' in html and "echarts.min.js" in html and "statistics.js" in html
    found = re.search(r'id="stat-data" type="application/json">(.*?)</script>', html, re.S)
    assert found
    charts = json.loads(found.group(1))
    assert sum(charts["trend"]["current"]) == 3 and sum(charts["trend"]["previous"]) == 1
    assert sum(row["value"] for row in charts["channels"]) == 3


def test_without_filters_the_page_shows_this_year_of_the_users_organ(world: World, cases: Any) -> None:
    html = _page(_client(world.bureau_head), "")
    assert "示例市信访局 · 2025年1月1日至7月10日" in html
    assert _card_value(html, "信访总量.件次") == "3"
    assert "报告正文" in html and "信访" in html.split("报告正文", 1)[1]  # the default template's text


def test_a_link_without_an_organisation_shows_the_users_own(world: World, cases: Any) -> None:
    html = _page(_client(world.bureau_head), "period=half&compare=none")
    assert "请选择机构" not in html
    assert "2025年1~6月" in html and "示例市信访局" in html
    assert _card_value(html, "信访总量.件次") == "3"


def test_quick_periods_end_no_later_than_today() -> None:
    today = dt.date(2025, 5, 20)
    assert quick_period("month", today) == (dt.date(2025, 5, 1), today)
    assert quick_period("quarter", today) == (dt.date(2025, 4, 1), today)
    assert quick_period("year", today) == (dt.date(2025, 1, 1), today)
    assert quick_period("half", today) == (dt.date(2025, 1, 1), today)
    assert quick_period("half", dt.date(2025, 9, 1)) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert quick_period("quarter", dt.date(2025, 12, 31)) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))


def test_a_quick_period_and_no_comparison(world: World, cases: Any) -> None:
    html = _page(_client(world.bureau_head), f"org={world.city_bureau.pk}&period=half&compare=none")
    assert "2025年1~6月" in html and "对比" not in html.split("stat-caption", 1)[1].split("</p>", 1)[0]
    assert "同比" not in "".join(re.findall(r'<div class="stat-change">([^<]*)</div>', html))


def test_mom_compares_with_the_period_before(world: World, cases: Any) -> None:
    html = _page(
        _client(world.bureau_head), f"org={world.city_bureau.pk}&start=2025-04-01&end=2025-04-30&compare=mom"
    )
    assert "对比 2025年3月" in html and "环比" in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=2025-13-01&end=2025-06-30", "start", "请填写日期（年-月-日）。"),
        ("start=2025-07-01&end=2025-06-30", "end", "截止日期早于起始日期。"),
        ("start=2025-01-01", "end", "请填写日期，或选择快捷期间。"),
        ("start=2025-01-01&end=2025-06-30&compare=weekly", "compare", "有效"),
        ("start=2025-01-01&end=2025-06-30&template=没有的模板", "template", "没有这个启用的报告模板。"),
    ],
)
def test_bad_filters_give_the_form_again_with_the_error_on_the_field(
    world: World, cases: Any, query: str, field: str, message: str
) -> None:
    response = _client(world.bureau_head).get(f"/statistics/?org={world.city_bureau.pk}&{query}")
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    error_field = html.split(f'for="id_{field}"', 1)[1].split("</div>", 2)
    assert message in "".join(error_field[:2])
    assert 'data-key="' not in html  # no figures for a bad filter


def test_an_organ_sees_itself_and_what_is_under_it_and_is_refused_others(world: World, cases: Any) -> None:
    assert [org.name for org in reportable_orgs(world.leader)][:1] == ["示例市人民政府"]
    names = {org.name for org in reportable_orgs(world.leader)}
    assert {"示例市信访局", "青山县信访局", "青山县城关镇人民政府"} <= names and "示例省人民政府" not in names
    assert {org.name for org in reportable_orgs(world.other_clerk)} == {"河口县人力资源和社会保障局"}
    client = _client(world.other_clerk)
    response = client.get(f"/statistics/?org={world.city_bureau.pk}&{FIRST_HALF}")
    assert response.status_code == 400 and ORG_REFUSED in response.content.decode()
    key = quote("信访总量.件次")
    response = client.get(f"/statistics/cases/?org={world.city_bureau.pk}&{FIRST_HALF}&key={key}")
    assert response.status_code == 400 and ORG_REFUSED in response.content.decode()
    # The leader may ask for a county organ under the city government.
    html = _page(_client(world.leader), f"org={world.county_gov.pk}&{FIRST_HALF}")
    assert "青山县人民政府 · 2025年1~6月" in html


def test_outsiders_are_refused(world: World, cases: Any) -> None:
    assert _client(world.citizen).get("/statistics/").status_code == 403
    nobody = org_services.staff_user_create(username="nobody", full_name="无机构", password=PASSWORD)
    response = _client(nobody).get("/statistics/")
    assert response.status_code == 403 and "不属于任何机构" in response.content.decode()
    assert Client().get("/statistics/").status_code == 302  # to the login page


def test_a_template_error_is_shown_with_its_line(world: World, cases: Any) -> None:
    ReportTemplate.objects.create(name="坏模板", title="标题", body="第一行\n{% if %}")
    html = _page(_client(world.bureau_head), f"org={world.city_bureau.pk}&{FIRST_HALF}&template=坏模板")
    assert "报告模板“坏模板”模板第2行有误" in html
    assert _card_value(html, "信访总量.件次") == "3"  # the figures are still shown


# ---------------------------------------------------------------- the cases behind a figure


@pytest.mark.parametrize("key", ["信访总量.件次", "来信.件次", "来访.批次", "受理率"])
def test_a_figures_case_list_is_its_figure_cases(world: World, cases: Any, key: str) -> None:
    client = _client(world.bureau_head)
    html = _page(client, f"org={world.city_bureau.pk}&{FIRST_HALF}")
    link = re.search(rf'href="(/statistics/cases/\?[^"]+)" data-key="{re.escape(key)}"', html)
    assert link
    listed = client.get(link.group(1).replace("&amp;", "&"))
    assert listed.status_code == 200
    page = listed.content.decode()
    expected = figure_cases(
        world.bureau_head, org=world.city_bureau, key=key, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30)
    )
    numbers = set(re.findall(r'/cases/\d+/">([^<]+)</a>', page))
    assert numbers == {case.number for case in expected}
    assert f"共 {expected.count()} 件" in page
    assert cases["old"].number not in numbers


def test_a_figure_without_cases_or_unknown_is_not_found(world: World, cases: Any) -> None:
    client = _client(world.bureau_head)
    base = f"/statistics/cases/?org={world.city_bureau.pk}&{FIRST_HALF}"
    assert client.get(f"{base}&key=nothing").status_code == 404
    assert client.get(f"{base}&key={quote('类案预警.发出')}").status_code == 404


def test_a_statistician_sees_every_figure_and_no_petitioner(world: World, cases: Any) -> None:
    client = _client(_statistician(world))
    html = _page(client, f"org={world.city_bureau.pk}&{FIRST_HALF}")
    assert _card_value(html, "信访总量.件次") == "3"
    listed = client.get(
        f"/statistics/cases/?org={world.city_bureau.pk}&{FIRST_HALF}&key={quote('信访总量.件次')}"
    )
    page = listed.content.decode()
    assert listed.status_code == 200 and cases["letter"].number in page
    assert "张三" not in page and "13800138000" not in page and "张三" not in html
    job = _ask_for(client, world, "json")
    _write_files()
    assert "张三" not in _download(client, job).content.decode()


# ---------------------------------------------------------------- downloads


def _filename(response: Any) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=UTF-8''")
    return unquote(disposition.split("''", 1)[1])


def _run_worker() -> None:
    """What `db_worker` does with the queue, once (it closes its connection: transactional tests only)."""
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def _write_files() -> None:
    """Run the queued report jobs as the worker does, inside the test's transaction."""
    for job in ReportJob.objects.filter(status=ReportJob.Status.QUEUED):
        write_report_file.call(job.pk)


def _ask_for(client: Client, world: World, fmt: str, **filters: str) -> ReportJob:
    data = {"org": str(world.city_bureau.pk), "start": "2025-01-01", "end": "2025-06-30", "compare": "yoy"}
    data.update(filters, fmt=fmt)
    response = client.post("/statistics/jobs/", data)
    assert response.status_code == 302, response.content.decode()[:1000]
    job = ReportJob.objects.latest("id")
    assert response["Location"] == f"/statistics/jobs/{job.pk}/"
    return job


def _download(client: Client, job: ReportJob) -> Any:
    status = client.get(f"/statistics/jobs/{job.pk}/status/").json()
    assert status["status"] == "done" and status["progress"] == 100, status
    response = client.get(status["download"])
    assert response.status_code == 200
    return response


def test_the_download_buttons_post_the_same_filters(world: World, cases: Any) -> None:
    html = _page(_client(world.bureau_head), f"org={world.city_bureau.pk}&{FIRST_HALF}")
    form = html.split('action="/statistics/jobs/"', 1)[1].split("</form>", 1)[0]
    assert f'name="org" value="{world.city_bureau.pk}"' in form
    assert 'name="start" value="2025-01-01"' in form and 'name="end" value="2025-06-30"' in form
    assert set(re.findall(r'name="fmt" value="(\w+)"', form)) == {"docx", "xlsx", "json"}


def test_downloads_are_written_in_the_background(world: World, cases: Any) -> None:
    import docx
    import openpyxl

    client = _client(world.bureau_head)
    jobs = {fmt: _ask_for(client, world, fmt) for fmt in ("json", "docx", "xlsx")}
    waiting = client.get(f"/statistics/jobs/{jobs['json'].pk}/")
    assert waiting.status_code == 200 and "排队中" in waiting.content.decode()
    assert client.get(f"/statistics/jobs/{jobs['json'].pk}/status/").json()["download"] is None
    assert client.get(f"/statistics/jobs/{jobs['json'].pk}/download/").status_code == 404
    _write_files()

    response = _download(client, jobs["json"])
    assert response["Content-Type"].startswith("application/json")
    assert _filename(response).endswith(".json") and "信访" in _filename(response)
    text = json.dumps(json.loads(response.content), ensure_ascii=False)
    assert "信访总量.件次" in text and "2025-06-30" in text

    response = _download(client, jobs["docx"])
    assert _filename(response) == "示例市信访局2025年1~6月信访工作情况.docx"
    document = docx.Document(io.BytesIO(response.content))
    assert any("示例市信访局" in p.text for p in document.paragraphs)

    response = _download(client, jobs["xlsx"])
    assert _filename(response).endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = {row[0]: row for row in book["指标"].iter_rows(values_only=True)}
    assert rows["信访总量.件次"][3] == 3

    done = client.get(f"/statistics/jobs/{jobs['docx'].pk}/").content.decode()
    assert "已完成" in done and "下载 示例市信访局2025年1~6月信访工作情况.docx" in done
    page = _page(client, f"org={world.city_bureau.pk}&{FIRST_HALF}")
    assert "最近生成的报告" in page and f"/statistics/jobs/{jobs['xlsx'].pk}/" in page


def test_old_report_files_are_dropped_when_a_new_one_is_asked_for(
    world: World, cases: Any, freeze: Freeze
) -> None:
    client = _client(world.bureau_head)
    old = _ask_for(client, world, "json")
    freeze("2025-07-18 10:00")
    new = _ask_for(_client(world.bureau_head), world, "json")  # a new session: the old one expired
    assert list(ReportJob.objects.values_list("pk", flat=True)) == [new.pk] and old.pk != new.pk


def test_a_report_job_is_its_requesters_only(world: World, cases: Any) -> None:
    job = _ask_for(_client(world.bureau_head), world, "json")
    _write_files()
    other = _client(world.registrar)
    for url in ("", "status/", "download/"):
        assert other.get(f"/statistics/jobs/{job.pk}/{url}").status_code == 404
    assert _client(world.bureau_head).get("/statistics/jobs/").status_code == 405  # asking is a POST


def test_a_bad_request_for_a_file_gives_the_form_again(world: World, cases: Any) -> None:
    client = _client(world.other_clerk)
    response = client.post(
        "/statistics/jobs/",
        {"org": world.city_bureau.pk, "start": "2025-01-01", "end": "2025-06-30", "fmt": "json"},
    )
    assert response.status_code == 400 and ORG_REFUSED in response.content.decode()
    assert not ReportJob.objects.exists()
    response = _client(world.bureau_head).post(
        "/statistics/jobs/", {"org": world.city_bureau.pk, "period": "year", "fmt": "pdf"}
    )
    assert response.status_code == 404


def test_a_template_gone_fails_the_job(world: World, cases: Any) -> None:
    client = _client(world.bureau_head)
    job = _ask_for(client, world, "json")
    ReportTemplate.objects.update(is_active=False)
    write_report_file.call(job.pk)
    status = client.get(f"/statistics/jobs/{job.pk}/status/").json()
    assert (
        status["status"] == "failed"
        and status["error"] == "没有启用的报告模板“半年工作总结统计部分”，请重新选择模板。"
    )


def test_a_template_error_fails_the_job_with_its_line(world: World, cases: Any) -> None:
    ReportTemplate.objects.create(name="坏模板", title="标题", body="第一行\n{% if %}")
    client = _client(world.bureau_head)
    job = _ask_for(client, world, "docx", template="坏模板")
    _write_files()
    status = client.get(f"/statistics/jobs/{job.pk}/status/").json()
    assert status["status"] == "failed" and "模板第2行有误" in status["error"]
    assert status["download"] is None


# ---------------------------------------------------------------- in a browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)  # the live server and the worker see committed rows
def test_the_page_in_a_browser_draws_charts_and_downloads(page: Any, live_server: Any, world: World) -> None:
    with pinned_now(beijing("2025-03-03 09:00")):
        visit = register(world, headcount=6, problem_region=world.county)
        visit = case_services.case_forward(actor=world.registrar, case=visit, to_org=world.city_housing)
    with pinned_now(beijing("2025-03-04 10:00")):
        case_services.case_accept(actor=world.handler, case=visit)
    with pinned_now(beijing("2025-03-10 09:00")):
        register(world, channel="letter", problem_region=world.other_county)
    with pinned_now(beijing("2024-04-10 09:00")):
        register(world, channel="letter", problem_region=world.other_county)
    problems: list[str] = []  # a CSP refusal or a script error shows in the console
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    missing: list[str] = []
    page.on(
        "response", lambda r: missing.append(r.url) if r.status >= 400 and "favicon" not in r.url else None
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "bureau_head")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/statistics/?org={world.city_bureau.pk}&start=2025-01-01&end=2025-06-30")
    page.wait_for_selector("#chart-trend canvas")
    for chart in ("trend", "categories", "channels", "regions", "units"):
        assert page.locator(f"#chart-{chart} canvas").count() >= 1, chart
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.screenshot(path="/tmp/stat_page.png", full_page=True)
    assert page.locator('[data-key="信访总量.件次"]').inner_text() == "2"
    # Change a filter: no comparison.
    page.select_option("select[name=compare]", "none")
    page.click("#stat-filters button[type=submit]")
    page.wait_for_selector("#chart-trend canvas")
    assert "compare=none" in page.url
    page.click('button[data-format="xlsx"]')
    page.wait_for_selector("#report-job")
    assert "排队中" in page.inner_text("#report-job-label")
    _run_worker()  # the worker writes the file; the page's polling sees it done
    page.wait_for_selector("#report-job-ready:not([hidden])")
    page.screenshot(path="/tmp/stat_job.png", full_page=True)
    with page.expect_download() as info:
        page.click("#report-job-download")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    import openpyxl

    with open(download.path(), "rb") as file:  # the download's temporary name has no extension
        assert "指标" in openpyxl.load_workbook(io.BytesIO(file.read())).sheetnames
    page.screenshot(path="/tmp/stat_no_comparison.png", full_page=True)
    assert not [text for text in problems if "Failed to load resource" not in text], problems
    assert not missing, missing
