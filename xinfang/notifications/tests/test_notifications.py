"""In-app notices: the right people only, the bell, marking read, the e-mail sent by the worker."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client

from xinfang.cases import services
from xinfang.cases.tests.helpers import register, to_accepted
from xinfang.core.schedule import registered_jobs
from xinfang.notifications.models import Kind, Notification
from xinfang.notifications.tasks import due_soon_notices
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Role
from xinfang.supervision.sweep import sweep
from xinfang.testing.supervision import open_supervision
from xinfang.testing.world import World

Freeze = Callable[[str], object]


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}
    }


def _told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_a_forwarded_case_tells_the_units_handlers_only(world: World) -> None:
    second = org_services.staff_user_create(username="handler2", full_name="钱承办", password="x-Pass-2026")
    org_services.membership_grant(user=second, org=world.city_housing, role=Role.HANDLER)
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    assert _told(Kind.ARRIVED) == {"handler", "handler2"}  # not the approver, not the other county
    notice = Notification.objects.get(user=world.handler)
    assert case.number in notice.text and "示例市信访局转送" in notice.text
    assert notice.url == f"/cases/{case.pk}/" and notice.read_at is None


def test_an_objection_tells_the_bureau_and_a_supervision_tells_the_unit(world: World, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    routed = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    services.case_object(actor=world.handler, case=routed, reasons="不属于本单位职责。")
    assert _told(Kind.RETURNED) == {"registrar", "bureau_head"}
    open_supervision(world, to_accepted(world))
    assert _told(Kind.SUPERVISED) == {"handler", "approver"}  # the head who opened it is not told
    assert "2025-03-10" in Notification.objects.get(kind=Kind.SUPERVISED, user=world.handler).text


def test_a_rolled_back_action_leaves_no_notice(world: World) -> None:
    case = register(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
        assert Notification.objects.filter(user=world.handler).exists()  # written with the event
        raise RuntimeError("the surrounding action fails later")
    assert not Notification.objects.exists()


def test_due_soon_warnings_are_told_once(world: World, freeze: Freeze) -> None:
    job = next(j for j in registered_jobs() if j.name == "notify_due_soon")
    assert job.task_path == "xinfang.notifications.tasks.notify_due_soon"
    freeze("2025-03-03 10:00")
    register(world)  # the 15-day routing clock, due 18 March
    freeze("2025-03-16 10:00")
    sweep()
    assert due_soon_notices() == 1 and _told(Kind.DUE_SOON) == {"registrar"}
    assert due_soon_notices() == 0  # a second run tells no one again


def test_the_bell_counts_unread_and_the_page_marks_read(world: World) -> None:
    services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.handler)
    home = client.get("/").content.decode()
    assert re.search(r'<span class="bell-count">2</span>', home)
    listing = client.get("/notifications/").content.decode()
    assert listing.count('class="notice unread"') == 2
    first = Notification.objects.filter(user=world.handler).first()
    assert client.post(f"/notifications/{first.pk}/read/").status_code == 403  # no CSRF token
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', listing).group(1)
    assert client.post(f"/notifications/{first.pk}/read/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert re.search(r'<span class="bell-count">1</span>', client.get("/").content.decode())
    # Another user's notice cannot be marked through the page.
    other = Client()
    other.force_login(world.registrar)
    last = Notification.objects.filter(user=world.handler, read_at__isnull=True).get()
    other.post(f"/notifications/{last.pk}/read/")
    last.refresh_from_db()
    assert last.read_at is None
    client.post("/notifications/read-all/", {"csrfmiddlewaretoken": token})
    assert 'class="bell-count"' not in client.get("/").content.decode()


def test_the_worker_emails_users_with_an_address(
    world: World, immediate_tasks: None, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.XINFANG_SITE_URL = "https://xf.example.gov.cn"
    world.handler.email = "handler@example.gov.cn"
    world.handler.save(update_fields=["email"])
    second = org_services.staff_user_create(username="handler2", full_name="钱承办", password="x-Pass-2026")
    org_services.membership_grant(user=second, org=world.city_housing, role=Role.HANDLER)  # no address
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    assert [m.to for m in mail.outbox] == [["handler@example.gov.cn"]]
    message = mail.outbox[0]
    assert message.subject == "【信访事项办理系统】新到信访件"
    assert case.number in message.body and f"https://xf.example.gov.cn/cases/{case.pk}/" in message.body
    assert Notification.objects.get(user=world.handler).emailed_at is not None
    assert Notification.objects.get(user=second).emailed_at is None


def test_a_request_tells_the_units_approvers_and_its_decision_the_requester(world: World) -> None:
    case = to_accepted(world)
    Notification.objects.all().delete()
    case = services.case_request_extension(actor=world.handler, case=case, days=30, reason="需要现场测绘")
    assert world.approver.username in _told(Kind.APPROVAL)
    assert world.handler.username not in _told(Kind.APPROVAL)  # never the one who asked
    notice = Notification.objects.get(user=world.approver, kind=Kind.APPROVAL)
    assert "延期申请待您审批" in notice.text and notice.url == "/approvals/"
    Notification.objects.all().delete()
    services.case_return_extension(actor=world.approver, case=case, reason="理由不充分")
    assert _told(Kind.APPROVAL) == {world.handler.username}
    assert "已退回" in Notification.objects.get(user=world.handler).text
