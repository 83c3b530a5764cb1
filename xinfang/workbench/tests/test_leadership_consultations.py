"""Pages of 会商研判: the list and its tasks tab, the form (cases by number, units, task rows), the
detail with the task forms, and 404 for whoever may not see a consultation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register, to_accepted
from xinfang.core.timeutil import local_date
from xinfang.leadership.models import Consultation, ConsultationTask
from xinfang.leadership.services.consultations import consultation_record
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Role
from xinfang.testing.pages import page_text as _page
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import PASSWORD, World

D = dt.date
Freeze = Callable[[str], dt.datetime]


@pytest.fixture
def cases(world: World, freeze: Freeze) -> list[Case]:
    freeze("2025-03-03 10:00")
    first = to_accepted(world)
    second = to_accepted(world, register(world, subject="同一小区另一栋楼墙体开裂"))
    freeze("2025-03-10 10:00")
    return [first, second]


def _form(world: World, cases: list[Case], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "org": world.city_bureau.pk,
        "held_on": "2025-03-07",
        "topic": "某小区房屋质量类案会商",
        "case_numbers": "\n".join(case.number for case in cases),
        "units": [world.city_housing.pk, world.county_labour.pk],
        "chair": "王局长",
        "decision": "市住建局牵头督促开发商维修。",
        "tasks-TOTAL_FORMS": "5",
        "tasks-INITIAL_FORMS": "0",
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "50",
        "tasks-0-title": "督促开发商制定维修方案",
        "tasks-0-owner_org": str(world.city_housing.pk),
        "tasks-0-due_on": "2025-03-14",
        "tasks-1-title": "核查欠薪情况",
        "tasks-1-owner_org": str(world.county_labour.pk),
        "tasks-1-due_on": "2025-03-21",
    }
    data.update(overrides)
    return data


def _record(world: World, cases: list[Case]) -> Consultation:
    return consultation_record(
        actor=world.registrar,
        org=world.city_bureau,
        held_on=D(2025, 3, 7),
        topic="某小区房屋质量类案会商",
        cases=cases,
        units=[world.city_housing],
        decision="市住建局牵头督促开发商维修。",
        tasks=[("督促开发商制定维修方案", world.city_housing, D(2025, 3, 8))],
    )


def test_the_form_is_prefilled_from_a_case_and_offers_units_and_task_rows(
    world: World, cases: list[Case]
) -> None:
    page = _page(_client(world.registrar), f"/leadership/consultations/new/?case={cases[0].pk}")
    assert f"{cases[0].number}</textarea>" in page
    assert 'data-org-picker="1"' in page and "workbench/org_picker.js" in page
    assert page.count('name="tasks-') >= 3 * 3  # at least three empty rows of three fields
    assert "召集机关：示例市信访局" in page  # one organ: chosen for the user


def test_recording_with_two_cases_and_two_tasks(world: World, cases: list[Case]) -> None:
    client = _client(world.registrar)
    response = client.post("/leadership/consultations/new/", _form(world, cases), follow=True)
    consultation = Consultation.objects.get()
    assert response.redirect_chain == [(f"/leadership/consultations/{consultation.pk}/", 302)]
    page = response.content.decode()
    assert "已登记会商研判“某小区房屋质量类案会商”，涉及信访件 2 件，交办任务 2 项。" in page
    assert cases[0].number in page and cases[1].number in page
    assert "督促开发商制定维修方案" in page and "青山县人力资源和社会保障局" in page
    assert set(consultation.cases.all()) == set(cases) and consultation.tasks.count() == 2
    assert all(case.events.filter(kind="consulted").exists() for case in cases)
    listing = _page(client, "/leadership/consultations/")
    assert "某小区房屋质量类案会商" in listing


def test_an_unknown_or_invisible_number_is_reported_on_the_field(world: World, cases: list[Case]) -> None:
    elsewhere = register(world, problem_region=world.other_county, subject="河口县某企业欠薪")
    client = _client(world.registrar)
    data = _form(world, cases, case_numbers=f"{cases[0].number}\nXF-NO-SUCH")
    response = client.post("/leadership/consultations/new/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "以下编号不存在或您无权查看：XF-NO-SUCH。" in page
    assert "XF-NO-SUCH</textarea>" in page  # what was typed stays
    assert "督促开发商制定维修方案" in page  # and so do the task rows
    assert Consultation.objects.count() == 0
    # A case the organiser may not see reads the same (the county bureau does not see the other county).
    clerk = org_services.staff_user_create(username="county_clerk", full_name="县登记员", password=PASSWORD)
    org_services.membership_grant(user=clerk, org=world.county_bureau, role=Role.REGISTRAR)
    data = _form(world, cases, org=world.county_bureau.pk, case_numbers=elsewhere.number)
    page = _client(clerk).post("/leadership/consultations/new/", data).content.decode()
    assert f"以下编号不存在或您无权查看：{elsewhere.number}。" in page


def test_a_refused_task_row_shows_the_error_in_its_row(world: World, cases: list[Case]) -> None:
    data = _form(world, cases, **{"tasks-1-owner_org": str(world.other_county_labour.pk)})
    response = _client(world.registrar).post("/leadership/consultations/new/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "河口县人力资源和社会保障局未参加本次会商" in page and "row-error" in page
    half = _form(world, cases, **{"tasks-2-title": "回访信访人"})  # a row without unit or date
    page = _client(world.registrar).post("/leadership/consultations/new/", half).content.decode()
    assert "请选择责任单位。" in page and "请填写完成期限。" in page
    assert Consultation.objects.count() == 0


def test_only_organising_staff_get_the_form(world: World, cases: list[Case]) -> None:
    assert _client(world.handler).get("/leadership/consultations/new/").status_code == 403
    assert "登记会商" not in _page(_client(world.handler), "/leadership/consultations/")


def test_the_unit_completes_its_task_and_the_organiser_reopens_it(world: World, cases: list[Case]) -> None:
    consultation = _record(world, cases)
    task = consultation.tasks.get()
    unit = _client(world.handler)
    detail = _page(unit, f"/leadership/consultations/{consultation.pk}/")
    assert f'action="/leadership/consultations/tasks/{task.pk}/complete/"' in detail
    assert "/reopen/" not in detail and "添加任务" not in detail  # the organiser's forms
    # An error stays on the form.
    bad = unit.post(
        f"/leadership/consultations/tasks/{task.pk}/complete/", {"done_on": "2025-03-11", "note": "已办。"}
    )
    assert bad.status_code == 200 and "完成日期不能晚于今天。" in bad.content.decode()
    response = unit.post(
        f"/leadership/consultations/tasks/{task.pk}/complete/",
        {"done_on": "2025-03-10", "note": "维修方案已报送。"},
        follow=True,
    )
    assert response.redirect_chain == [(f"/leadership/consultations/{consultation.pk}/", 302)]
    page = response.content.decode()
    assert "已反馈任务“督促开发商制定维修方案”完成。" in page and "维修方案已报送。" in page
    task.refresh_from_db()
    assert task.done_on == D(2025, 3, 10) and task.done_by == world.handler
    organiser = _client(world.registrar)
    response = organiser.post(
        f"/leadership/consultations/tasks/{task.pk}/reopen/", {"reason": "方案未经业主确认。"}, follow=True
    )
    assert "已退回任务" in response.content.decode()
    task.refresh_from_db()
    assert task.done_on is None and task.reopen_reason == "方案未经业主确认。"


def test_the_organiser_adds_a_task(world: World, cases: list[Case]) -> None:
    consultation = _record(world, cases)
    client = _client(world.registrar)
    url = f"/leadership/consultations/{consultation.pk}/tasks/"
    bad = client.post(url, {"title": "回访", "owner_org": world.city_housing.pk, "due_on": "2025-03-01"})
    assert "不能早于会商日期" in bad.content.decode()
    client.post(url, {"title": "回访信访人", "owner_org": world.city_bureau.pk, "due_on": "2025-03-31"})
    assert consultation.tasks.filter(title="回访信访人", owner_org=world.city_bureau).exists()


def test_the_tasks_tab_lists_the_units_open_tasks_overdue_in_red(world: World, cases: list[Case]) -> None:
    consultation = _record(world, cases)  # task due 8 March, today is the 10th
    page = _page(_client(world.handler), "/leadership/consultations/?tab=tasks")
    assert "督促开发商制定维修方案" in page and "task-late" in page and "（已逾期）" in page
    assert f"/leadership/consultations/{consultation.pk}/#task-" in page
    assert "督促开发商制定维修方案" not in _page(
        _client(world.registrar), "/leadership/consultations/?tab=tasks"
    )


def test_an_outsider_gets_404(world: World, cases: list[Case]) -> None:
    consultation = _record(world, cases)
    task = consultation.tasks.get()
    outsider = _client(world.other_clerk)
    assert outsider.get(f"/leadership/consultations/{consultation.pk}/").status_code == 404
    assert outsider.post(f"/leadership/consultations/{consultation.pk}/tasks/", {}).status_code == 404
    done = {"done_on": "2025-03-10", "note": "已办。"}
    assert outsider.post(f"/leadership/consultations/tasks/{task.pk}/complete/", done).status_code == 404
    assert (
        outsider.post(f"/leadership/consultations/tasks/{task.pk}/reopen/", {"reason": "x"}).status_code
        == 404
    )
    assert "某小区房屋质量类案会商" not in _page(outsider, "/leadership/consultations/")
    assert ConsultationTask.objects.get().done_on is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_fit_a_phone_screen(live_server: Any, world: World, page: Any) -> None:
    case = to_accepted(world)
    today = local_date()  # the live server runs on the real clock
    consultation = consultation_record(
        actor=world.registrar,
        org=world.city_bureau,
        held_on=today - dt.timedelta(days=1),
        topic="某小区房屋质量类案会商",
        cases=[case],
        units=[world.city_housing],
        decision="市住建局牵头督促开发商维修。",
        tasks=[("督促开发商制定维修方案", world.city_housing, today)],
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "registrar")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for path in (
        "/leadership/consultations/",
        "/leadership/consultations/?tab=tasks",
        f"/leadership/consultations/new/?case={case.pk}",
        f"/leadership/consultations/{consultation.pk}/",
    ):
        page.goto(f"{live_server.url}{path}")
        # nothing makes the page wider than the screen (wide tables scroll in their box)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    # The units' picker is the searchable one of the workbench (org_picker.js).
    page.goto(f"{live_server.url}/leadership/consultations/new/")
    assert page.locator(".org-picker-filter").count() == 1
