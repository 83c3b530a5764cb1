"""Pages for deadlines and 督办: lists, the case panel, open, feedback, close, letters, 404s."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register, to_accepted
from xinfang.supervision import services
from xinfang.supervision.models import Supervision
from xinfang.supervision.sweep import sweep
from xinfang.testing.pages import page_text as _page
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.supervision import open_supervision
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]


@pytest.fixture
def case(world: World, freeze: Freeze) -> Case:
    freeze("2025-03-03 10:00")
    return to_accepted(world)  # handled by 示例市住房和城乡建设局


# ---------------------------------------------------------------- deadlines


def test_the_deadlines_page_lists_overdue_and_due_soon_cases_by_unit(world: World, freeze: Freeze) -> None:
    freeze("2025-02-20 10:00")
    late = register(world, subject="老旧小区加装电梯协调")  # route due Fri 7 Mar
    freeze("2025-03-03 10:00")
    soon = register(world, subject="小区停车位被占用")  # route due Tue 18 Mar
    freeze("2025-03-16 10:00")
    sweep()
    client = _client(world.registrar)
    overdue = _page(client, "/deadlines/")
    assert late.number in overdue and soon.number not in overdue
    assert "超期 9 日" in overdue and "交转送（登记后）" in overdue and "2025-03-07" in overdue
    due_soon = _page(client, "/deadlines/?tab=due_soon")
    assert soon.number in due_soon and late.number not in due_soon and "还剩 2 日" in due_soon
    assert 'href="/deadlines/"' in due_soon and "期限预警" in due_soon  # the nav link
    filtered = _page(client, f"/deadlines/?tab=overdue&org={world.city_bureau.pk}")
    assert late.number in filtered
    assert 'tab-overdue active">已超期 <span class="count">1</span>' in filtered
    elsewhere = _page(client, f"/deadlines/?tab=overdue&org={world.city_housing.pk}")
    assert late.number not in elsewhere and "没有已超期的信访件" in elsewhere
    # A unit's page counts that unit's cases only, and still offers the units with flagged cases.
    assert 'tab-overdue active">已超期 <span class="count">0</span>' in elsewhere
    assert f'<option value="{world.city_bureau.pk}">' in elsewhere
    assert late.number in _page(client, "/deadlines/?tab=bogus&org=abc")  # bad filters are ignored
    outsider = _page(_client(world.other_clerk), "/deadlines/")
    assert late.number not in outsider and soon.number not in outsider


def test_a_units_deadlines_page_offers_the_flagged_units_without_an_earlier_visit(
    world: World, freeze: Freeze
) -> None:
    freeze("2025-01-06 10:00")
    late = to_accepted(world, register(world, subject="老旧小区加装电梯协调"))  # handled by 住建局
    freeze("2025-04-30 10:00")
    sweep()
    head = _client(world.bureau_head)
    page = _page(head, f"/deadlines/?tab=overdue&org={world.county_bureau.pk}")
    # Not the head's own unit: offered because it holds a flagged case the head sees.
    assert f'<option value="{world.city_housing.pk}">' in page and late.number not in page
    assert late.number in _page(head, f"/deadlines/?tab=overdue&org={world.city_housing.pk}")


def test_citizens_and_anonymous_users_get_no_deadlines_page(world: World) -> None:
    assert _client(world.citizen).get("/deadlines/").status_code == 403
    assert Client().get("/supervisions/").status_code == 302


# ---------------------------------------------------------------- the case panel and opening


def test_the_case_panel_offers_the_form_only_to_bureau_staff(world: World, case: Case) -> None:
    page = _page(_client(world.bureau_head), f"/cases/{case.pk}/")
    assert "期限预警与督办" in page and f'action="/cases/{case.pk}/supervise/"' in page
    assert "不落实处理意见" in page and "被督办单位：示例市住房和城乡建设局" in page
    handler_page = _page(_client(world.handler), f"/cases/{case.pk}/")
    assert "期限预警与督办" in handler_page and "/supervise/" not in handler_page


def test_opening_with_errors_shows_them_on_the_form(world: World, case: Case) -> None:
    client = _client(world.bureau_head)
    url = f"/cases/{case.pk}/supervise/"
    response = client.post(
        url, {"org": world.city_bureau.pk, "reason": "", "details": "", "feedback_due": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "请选择督办事由。" in page and "请填写督办要求。" in page and "请填写反馈期限。" in page
    response = client.post(
        url,
        {
            "org": world.city_bureau.pk,
            "reason": "delay",
            "details": "请督促维修。",
            "feedback_due": "2025-03-03",
        },
    )
    assert "反馈期限应晚于今天。" in response.content.decode()
    assert Supervision.objects.count() == 0


def test_opening_succeeds_redirects_and_shows_on_the_case(world: World, case: Case) -> None:
    client = _client(world.bureau_head)
    response = client.post(
        f"/cases/{case.pk}/supervise/",
        {
            "org": world.city_bureau.pk,
            "reason": "delay",
            "details": "请督促维修。",
            "feedback_due": "2025-03-10",
        },
        follow=True,
    )
    assert response.redirect_chain == [(f"/cases/{case.pk}/", 302)]
    page = response.content.decode()
    assert "已向示例市住房和城乡建设局发出督办" in page and "督办中" in page
    supervision = Supervision.objects.get()
    assert f"/supervisions/{supervision.pk}/" in page
    # a second click is refused, on the form
    again = client.post(
        f"/cases/{case.pk}/supervise/",
        {
            "org": world.city_bureau.pk,
            "reason": "delay",
            "details": "再次督办。",
            "feedback_due": "2025-03-10",
        },
    )
    assert "已有未办结的督办" in again.content.decode()


def test_only_bureau_staff_may_post_the_open_form(world: World, case: Case) -> None:
    body = {
        "org": world.city_bureau.pk,
        "reason": "delay",
        "details": "请督促。",
        "feedback_due": "2025-03-10",
    }
    assert _client(world.handler).post(f"/cases/{case.pk}/supervise/", body).status_code == 403
    assert _client(world.other_clerk).post(f"/cases/{case.pk}/supervise/", body).status_code == 404
    assert Supervision.objects.count() == 0


def test_the_case_panel_shows_warnings(world: World, freeze: Freeze) -> None:
    freeze("2025-02-20 10:00")
    late = register(world)
    freeze("2025-03-16 10:00")
    sweep()
    page = _page(_client(world.registrar), f"/cases/{late.pk}/")
    assert "已超期" in page and "2025年3月7日届满" in page


# ---------------------------------------------------------------- the 督办 list and detail


def test_the_supervision_list_filters_by_status(world: World, case: Case) -> None:
    supervision = open_supervision(world, case)
    client = _client(world.handler)
    assert f"/supervisions/{supervision.pk}/" in _page(client, "/supervisions/")
    assert f"/supervisions/{supervision.pk}/" in _page(client, "/supervisions/?status=open")
    assert f"/supervisions/{supervision.pk}/" not in _page(client, "/supervisions/?status=closed")
    assert f"/supervisions/{supervision.pk}/" not in _page(_client(world.other_clerk), "/supervisions/")


def test_the_unit_answers_on_the_detail_page(world: World, case: Case) -> None:
    supervision = open_supervision(world, case)
    url = f"/supervisions/{supervision.pk}/"
    client = _client(world.handler)
    page = _page(client, url)
    assert "反馈办理情况" in page and "办结督办" not in page and "发起督办" in page  # the log
    empty = client.post(f"{url}feedback/", {"text": ""})
    assert empty.status_code == 200 and "请填写办理情况。" in empty.content.decode()
    response = client.post(f"{url}feedback/", {"text": "已督促开发商维修。"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    assert "已反馈办理情况。" in page and "已督促开发商维修。" in page and "反馈办理情况</h2>" not in page
    # the bureau's head is not the unit: refused on the form
    supervision.refresh_from_db()
    assert supervision.status == "answered"


def test_the_bureau_closes_recommending_accountability(world: World, case: Case, freeze: Freeze) -> None:
    supervision = open_supervision(world, case)
    url = f"/supervisions/{supervision.pk}/"
    client = _client(world.bureau_head)
    assert "办结督办" not in _page(client, url)  # nothing to close before feedback or overdue
    freeze("2025-03-11 09:00")
    sweep()
    client = _client(world.bureau_head)  # a new day, a new session
    page = _page(client, url)
    assert "办结督办" in page and "只能在建议问责时办结" in page and "问责建议函（.docx）" in page
    refused = client.post(f"{url}close/", {"note": "逾期未反馈。"})
    assert refused.status_code == 200 and "逾期未反馈的督办只能在建议问责时办结" in refused.content.decode()
    response = client.post(
        f"{url}close/", {"note": "逾期未反馈。", "recommend_accountability": "on"}, follow=True
    )
    page = response.content.decode()
    assert "已办结督办，并建议问责。" in page and "已办结" in page and "建议问责" in page
    supervision.refresh_from_db()
    assert (supervision.status, supervision.accountability) == ("closed", True)


def test_feedback_and_close_by_others_are_refused_on_the_form(world: World, case: Case) -> None:
    supervision = open_supervision(world, case)
    url = f"/supervisions/{supervision.pk}/"
    refused = _client(world.bureau_head).post(f"{url}feedback/", {"text": "代为反馈。"})
    assert "示例市住房和城乡建设局" in refused.content.decode() and 'role="alert"' in refused.content.decode()
    services.supervision_feedback(actor=world.handler, supervision=supervision, text="已办理。")
    refused = _client(world.handler).post(f"{url}close/", {"note": "自行办结。"})
    assert "只有示例市信访局的" in refused.content.decode()
    assert _client(world.handler).get(f"{url}close/").status_code == 405
    supervision.refresh_from_db()
    assert supervision.status == "answered"


def test_letters_download_as_docx(world: World, case: Case) -> None:
    supervision = open_supervision(world, case)
    client = _client(world.handler)
    response = client.get(f"/supervisions/{supervision.pk}/letters/reminder/")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert client.get(f"/supervisions/{supervision.pk}/letters/accountability/").status_code == 404
    assert client.get(f"/supervisions/{supervision.pk}/letters/nonsense/").status_code == 404


def test_an_invisible_supervision_is_not_found(world: World, case: Case) -> None:
    supervision = open_supervision(world, case)
    client = _client(world.other_clerk)
    base = f"/supervisions/{supervision.pk}/"
    assert client.get(base).status_code == 404
    assert client.post(f"{base}feedback/", {"text": "x"}).status_code == 404
    assert client.post(f"{base}close/", {"note": "x"}).status_code == 404
    assert client.get(f"{base}letters/reminder/").status_code == 404
    assert client.get(f"/cases/{case.pk}/supervise/").status_code == 404
    assert _client(world.handler).get("/supervisions/999999/").status_code == 404


def test_a_feedback_date_a_year_away_is_refused_on_its_field(world: World, case: Case) -> None:
    response = _client(world.bureau_head).post(
        f"/cases/{case.pk}/supervise/",
        {
            "org": world.city_bureau.pk,
            "reason": "delay",
            "details": "请督促维修。",
            "feedback_due": "2026-03-03",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "反馈期限最迟为 2025-06-01（督办之日起 90 日内），现为 2026-03-03，请核对。" in page
    assert 'max="2025-06-01"' in page and Supervision.objects.count() == 0
