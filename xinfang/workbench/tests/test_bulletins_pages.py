"""The bulletins pages: archive, new issue (with errors shown again), 典型案例, 动态 items, 签发 and the
.docx, and 404s for what a user may not read."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from urllib.parse import unquote

import pytest
from django.test import Client
from docx import Document

from xinfang.bulletins import services
from xinfang.bulletins.models import Bulletin, BulletinItem, Kind, Status
from xinfang.bulletins.tests.helpers import alert, brief, dynamics, issue
from xinfang.cases.models import Case
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import register
from xinfang.testing.pages import page_text as _page
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import World
from xinfang.workbench.forms_bulletins import quick_period

Freeze = Callable[[str], dt.datetime]


@pytest.fixture
def case(world: World, freeze: Freeze) -> Case:
    freeze("2026-02-10 10:00")
    people = [PetitionerInput(name="赵六", id_number="", phone="", address="青山县幸福路6号")]
    made = register(world, subject="赵六反映小区漏水", petitioners=people)
    freeze("2026-03-10 10:00")
    return made


def test_the_archive_lists_issued_issues_by_kind_and_year_and_the_drafts(world: World, case: Case) -> None:
    issued = issue(world, brief(world, title="二月简报"))
    draft = brief(world, title="三月简报草稿")
    item = services.item_create(actor=world.registrar, org=world.city_bureau, title="动态", body="内容")
    news = dynamics(world, title="二月动态")
    services.item_collect(actor=world.registrar, bulletin=news, item_ids=[item.pk])
    issue(world, news)
    client = _client(world.registrar)
    page = _page(client, "/bulletins/")
    assert "二月简报" in page and "二月动态" in page and "三月简报草稿" in page
    assert f'href="/bulletins/{issued.pk}/docx/"' in page and "2026年第1期" in page
    assert 'href="/bulletins/new/?kind=brief"' in page
    only_briefs = _page(client, "/bulletins/?kind=brief&year=2026")
    assert "二月简报" in only_briefs and "二月动态" not in only_briefs
    assert "二月简报" not in _page(client, "/bulletins/?year=2025")
    assert "二月简报" in _page(client, "/bulletins/?kind=bogus&year=abc")  # bad filters are ignored
    # the nav link
    assert 'href="/bulletins/">信访简报</a>' in page
    outsider = _page(_client(world.other_clerk), "/bulletins/")
    assert "三月简报草稿" not in outsider and "二月简报" in outsider  # issued: sent to the region
    assert f'href="/bulletins/{draft.pk}/"' not in outsider


def test_creating_with_a_bad_field_shows_the_form_again_with_the_error(world: World, case: Case) -> None:
    client = _client(world.registrar)
    form = _page(client, "/bulletins/new/?kind=brief")
    assert "信访简报（标准）" in form and 'value="brief" selected' in form
    response = client.post(
        "/bulletins/new/",
        {
            "org": world.city_bureau.pk,
            "kind": "brief",
            "period_start": "2026-02-28",
            "period_end": "2026-02-01",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "截止日期早于起始日期。" in html
    assert 'value="2026-02-28"' in html  # what was typed comes back
    html = client.post("/bulletins/new/", {"org": world.city_bureau.pk}).content.decode()
    assert "请选择类别：信访简报或信访动态。" in html and "请填写起始日期，或选择快捷期间。" in html
    html = client.post(
        "/bulletins/new/", {"org": world.city_bureau.pk, "kind": "brief", "period_start": "2026-2-30"}
    ).content.decode()
    assert "起始日期应为日期（年-月-日）。" in html
    html = client.post(
        "/bulletins/new/",
        {"org": world.city_bureau.pk, "kind": "brief", "period": "last_month", "template": "x"},
    ).content.decode()
    assert "没有这个启用的简报模板。" in html
    assert not Bulletin.objects.exists()
    response = client.post(
        "/bulletins/new/", {"org": world.city_bureau.pk, "kind": "brief", "period": "last_month"}
    )
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/bulletins/{bulletin.pk}/"
    assert (bulletin.period_start, bulletin.period_end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert "一、本期信访情况" in bulletin.body


def test_a_unit_without_a_writing_role_cannot_create(world: World, case: Case) -> None:
    page = _page(_client(world.leader), "/bulletins/new/")
    assert "只有本单位的登记员、承办人、审核人、信访部门负责人或统计员可以编写" in page
    response = _client(world.leader).post(
        "/bulletins/new/", {"org": world.city_gov.pk, "kind": "brief", "period": "last_month"}
    )
    assert response.status_code == 200 and not Bulletin.objects.exists()


def test_a_draft_is_edited_its_cases_chosen_and_then_issued(world: World, case: Case) -> None:
    bulletin = brief(world)
    writer = _client(world.registrar)
    page = _page(writer, f"/bulletins/{bulletin.pk}/")
    assert "选为典型案例" in page and "按模板重新生成正文" in page and "签发后编排期号" not in page
    html = writer.post(f"/bulletins/{bulletin.pk}/cases/", {"case_number": "123"}).content.decode()
    assert "信访件 123 不存在，或您无权查看。" in html
    response = writer.post(
        f"/bulletins/{bulletin.pk}/cases/", {"case_number": case.number, "note": "赵六满意"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#notable")
    page = _page(writer, f"/bulletins/{bulletin.pk}/")
    assert "青山县群众赵*反映小区漏水" in page and "赵*满意。" in page and "赵六" not in page
    html = writer.post(f"/bulletins/{bulletin.pk}/edit/", {"title": "", "body": "x"}).content.decode()
    assert "请填写标题。" in html
    writer.post(f"/bulletins/{bulletin.pk}/edit/", {"title": "二月简报", "body": "一、概况\n平稳。"})
    bulletin.refresh_from_db()
    assert bulletin.title == "二月简报" and bulletin.body_edited
    # the writer may not issue; the head may
    html = writer.post(f"/bulletins/{bulletin.pk}/issue/").content.decode()
    assert "只有示例市信访局的信访部门负责人或领导可以签发信访简报。" in html
    head = _client(world.bureau_head)
    assert "签发后编排期号" in _page(head, f"/bulletins/{bulletin.pk}/")
    response = head.post(f"/bulletins/{bulletin.pk}/issue/")
    assert response.status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.status == Status.ISSUED and bulletin.number == 1
    page = _page(head, f"/bulletins/{bulletin.pk}/")
    assert "2026年第1期" in page and "选为典型案例" not in page and "删除草稿" not in page
    assert "<p>平稳。</p>" in page
    html = writer.post(f"/bulletins/{bulletin.pk}/edit/", {"title": "改", "body": "改"}).content.decode()
    assert "已签发，不能再修改或删除。" in html
    html = writer.post(f"/bulletins/{bulletin.pk}/delete/").content.decode()
    assert "已签发，不能再修改或删除。" in html and Bulletin.objects.filter(pk=bulletin.pk).exists()


def test_the_docx_download_is_a_docx_with_the_right_title(world: World, case: Case) -> None:
    bulletin = issue(world, brief(world, title="二月简报"))
    response = _client(world.leader).get(f"/bulletins/{bulletin.pk}/docx/")  # the government reads it
    assert response.status_code == 200
    assert (
        response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert unquote(response["Content-Disposition"]).endswith("信访简报2026年第1期.docx")
    document = Document(io.BytesIO(response.content))
    assert document.core_properties.title == "二月简报"
    assert [p.text for p in document.paragraphs if p.text][:2] == ["信访简报", "第1期"]


def test_what_a_user_may_not_read_is_a_404(world: World, case: Case) -> None:
    draft = brief(world)
    outsider = _client(world.other_clerk)
    for url in (f"/bulletins/{draft.pk}/", f"/bulletins/{draft.pk}/docx/"):
        assert outsider.get(url).status_code == 404
    assert outsider.post(f"/bulletins/{draft.pk}/issue/").status_code == 404
    assert _client(world.citizen).get(f"/bulletins/{draft.pk}/").status_code == 403
    assert Client().get("/bulletins/").status_code == 302  # to the login


def test_a_dynamics_issue_collects_items_written_from_a_case_and_an_alert(world: World, case: Case) -> None:
    writer = _client(world.registrar)
    detail = _page(writer, f"/cases/{case.pk}/")
    assert f'href="/bulletins/items/new/?case={case.pk}"' in detail and "写入信访动态" in detail
    form = _page(writer, f"/bulletins/items/new/?case={case.pk}")
    assert (
        "赵*反映小区漏水" in form and "赵六" not in form and f'name="source_case" value="{case.pk}"' in form
    )
    html = writer.post(
        "/bulletins/items/new/",
        {"org": world.city_bureau.pk, "title": "", "body": "", "source_case": case.pk},
    ).content.decode()
    assert "请填写标题。" in html and "请填写内容。" in html and f'value="{case.pk}"' in html
    response = writer.post(
        "/bulletins/items/new/",
        {
            "org": world.city_bureau.pk,
            "title": "小区漏水得到解决",
            "body": "赵六反映的漏水已修复。",
            "source_case": case.pk,
        },
    )
    assert response.status_code == 302
    from_case = BulletinItem.objects.get()
    assert from_case.source_case == case and from_case.body == "赵*反映的漏水已修复。"

    hot = alert([case, register(world), register(world)], title="小区漏水", place="青山县")
    assert f'href="/bulletins/items/new/?alert={hot.pk}"' in _page(writer, "/alerts/")
    form = _page(writer, f"/bulletins/items/new/?alert={hot.pk}")
    assert "相继出现同类信访事项3件：小区漏水" in form
    writer.post(
        "/bulletins/items/new/",
        {"org": world.city_bureau.pk, "title": "小区漏水类案", "body": "已研判。", "source_alert": hot.pk},
    )
    refused = _page(_client(world.other_clerk), f"/bulletins/items/new/?alert={hot.pk}")
    assert f"类案预警 {hot.pk} 不存在，或您无权查看。" in refused
    assert "信访件编号有误。" in _page(writer, "/bulletins/items/new/?case=abc")

    items = _page(writer, "/bulletins/items/")
    assert "小区漏水得到解决" in items and "小区漏水类案" in items and "未编入" in items

    news = dynamics(world)
    page = _page(writer, f"/bulletins/{news.pk}/")
    assert "编入本期" in page and "小区漏水类案" in page
    assert "请选择要编入本期的动态条目。" in writer.post(f"/bulletins/{news.pk}/items/", {}).content.decode()
    ids = list(BulletinItem.objects.values_list("pk", flat=True))
    assert writer.post(f"/bulletins/{news.pk}/items/", {"items": ids}).status_code == 302
    assert news.items.count() == 2
    assert _client(world.bureau_head).post(f"/bulletins/{news.pk}/issue/").status_code == 302
    news.refresh_from_db()
    assert news.kind == Kind.DYNAMICS and news.issue_label == "2026年第1期"
    assert "已编入" in _page(writer, "/bulletins/items/?state=collected")


def test_the_quick_periods() -> None:
    day = dt.date(2026, 1, 15)
    assert quick_period("last_month", day) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    assert quick_period("last_quarter", day) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert quick_period("this_quarter", day) == (dt.date(2026, 1, 1), day)  # still running: ends today
    assert quick_period("this_month", dt.date(2026, 3, 31)) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert quick_period("last_quarter", dt.date(2026, 8, 2)) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert quick_period("first_half", dt.date(2026, 8, 2)) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert quick_period("this_year", dt.date(2026, 8, 2)) == (dt.date(2026, 1, 1), dt.date(2026, 8, 2))
