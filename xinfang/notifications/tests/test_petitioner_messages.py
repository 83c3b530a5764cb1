"""群众短信通知: each step the petitioner is told of, once, retried, logged, masked and policed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from xinfang.cases import services
from xinfang.cases.clocks import case_clocks
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import a_reply, register, reply_approved, to_accepted, to_delivered
from xinfang.core import sms
from xinfang.core.schedule import registered_jobs
from xinfang.core.sms import SmsError, SmsMessage
from xinfang.core.timeutil import pinned_now
from xinfang.notifications import petitioners, texts
from xinfang.notifications.models import MessageStatus, MessageTemplate, PetitionerMessage
from xinfang.notifications.tasks import queue_step, remind_rating, send_petitioner_messages
from xinfang.orgs.models import User
from xinfang.statistics.tests.helpers import GOOD_ROWS, write_csv
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]
T = TypeVar("T")


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}
    }
    settings.SMS_SIGNATURE = "示例市信访局"


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[Callable[[], T]], T]:
    """Run one action as if its transaction committed: the worker then runs its job at once."""

    def run(action: Callable[[], T]) -> T:
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def _texts() -> list[str]:
    return [message.text for message in sms.outbox]


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _due(case: Case, clock: str) -> dt.date:
    due = next(c.due_on for c in case_clocks(case) if c.name == clock)
    assert due is not None
    return due


def test_each_step_tells_the_petitioner_in_order(
    world: World, freeze: Freeze, committed: Callable[[Callable[[], Any]], Any], settings: Any
) -> None:
    settings.XINFANG_RATING_REMINDER_DAYS = 2
    freeze("2025-03-03 10:00")
    case = committed(lambda: register(world))
    case = committed(
        lambda: services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    )
    freeze("2025-03-04 09:00")
    case = committed(lambda: services.case_accept(actor=world.handler, case=case))
    handle_due = _due(case, "handle")
    case = committed(
        lambda: services.case_extend(
            actor=world.handler, case=case, days=30, approver=world.approver, reason="需要现场测绘"
        )
    )
    extended_due = _due(case, "handle")
    freeze("2025-03-10 09:00")
    case = committed(lambda: reply_approved(actor=world.handler, case=case, reply=a_reply()))
    case = committed(lambda: services.case_deliver(actor=world.handler, case=case, method="in_person"))
    freeze("2025-03-12 10:00")  # five days of the seven left: too early to remind
    assert remind_rating.call() == 0
    freeze("2025-03-15 10:00")  # two days left (the window ends on 17 March)
    assert remind_rating.call() == 1
    assert remind_rating.call() == 0  # once
    case = committed(lambda: services.case_review_request(actor=world.leader, case=case, reasons="不服"))
    review_due = _due(case, "review_decide")
    freeze("2025-03-20 10:00")
    committed(
        lambda: services.case_review_decide(actor=world.leader, case=case, outcome="uphold", opinion="维持")
    )

    assert {m.phone for m in sms.outbox} == {"13800138000"}
    sent = _texts()
    assert sent == [
        f"【示例市信访局】您反映的信访事项已于2025年3月3日由示例市信访局登记，编号{case.number}，查询码{case.query_code}。"
        "我们将在2025年3月18日前告知您是否受理或转交有权处理的机关办理，可凭编号和查询码查询办理进展。",
        f"【示例市信访局】您的信访事项（编号{case.number}）已于2025年3月3日转送示例市住房和城乡建设局办理，"
        "该单位将在2025年3月18日前告知您是否受理。",
        f"【示例市信访局】您的信访事项（编号{case.number}）已由示例市住房和城乡建设局于2025年3月4日受理，"
        f"将在{_day(handle_due)}前出具处理意见。",
        f"【示例市信访局】您的信访事项（编号{case.number}）经示例市住房和城乡建设局批准延期办理，"
        f"办理期限延长30日，至{_day(extended_due)}。延期理由：需要现场测绘",
        f"【示例市信访局】示例市住房和城乡建设局已于2025年3月10日对您的信访事项（编号{case.number}）出具处理意见，"
        "书面意见书将依法送达。收到后可凭编号和查询码对办理情况进行满意度评价。",
        f"【示例市信访局】您的信访事项（编号{case.number}）处理意见书已送达，请于2025年3月17日前对信访部门和"
        "示例市住房和城乡建设局的办理情况作出满意度评价（满意、基本满意、不满意），可凭编号和查询码评价。",
        f"【示例市信访局】您对信访事项（编号{case.number}）提出的复查请求已由示例市人民政府于2025年3月15日收到，"
        f"将在{_day(review_due)}前提出复查意见。",
        f"【示例市信访局】示例市人民政府已于2025年3月20日对您的信访事项（编号{case.number}）提出复查意见（维持），"
        "复查意见书将依法送达。如不服，可自收到复查意见书之日起三十日内向上一级机关请求复核。",
    ]
    assert extended_due > handle_due
    log = list(PetitionerMessage.objects.filter(case=case).order_by("created_at", "pk"))
    assert [m.template for m in log] == [
        "received",
        "forwarded",
        "accepted",
        "extended",
        "replied",
        "rating_reminder",
        "review_requested",
        "review_decided",
    ]
    assert {(m.status, m.attempts) for m in log} == {(MessageStatus.SENT, 1)}
    assert all(m.sent_at is not None and m.backend_id == m.message_id for m in log)
    assert "13800138000" not in {m.recipient_enc for m in log}  # encrypted at rest


def test_a_declined_case_is_told_the_reason_and_the_legal_route(
    world: World, committed: Callable[[Callable[[], Any]], Any]
) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    sms.outbox.clear()
    committed(
        lambda: services.case_decline(
            actor=world.handler,
            case=case,
            legal_channel="administrative_review",
            reasons="该事项已申请行政复议",
        )
    )
    [message] = _texts()
    assert "经示例市住房和城乡建设局审查不予受理，理由：该事项已申请行政复议。" in message
    assert "应当通过行政复议等法定途径解决" in message


def test_a_rolled_back_action_or_a_step_of_no_concern_tells_no_one(
    world: World, committed: Callable[[Callable[[], Any]], Any]
) -> None:
    case = to_accepted(world)  # never committed: nothing was enqueued
    committed(lambda: services.case_hearing_start(actor=world.handler, case=case, note="组织听证"))
    assert sms.outbox == [] and not PetitionerMessage.objects.exists()


def test_a_second_run_of_the_job_sends_nothing_twice(world: World) -> None:
    case = register(world)
    event = CaseEvent.objects.get(case=case, kind="registered")
    assert queue_step.call(event.pk) == 1
    assert queue_step.call(event.pk) == 0
    assert send_petitioner_messages.call() == 0
    assert len(sms.outbox) == 1 and PetitionerMessage.objects.count() == 1


def test_each_number_once_the_citizen_account_by_sms_and_email_and_no_landline(world: World) -> None:
    citizen: User = world.citizen
    citizen.phone, citizen.email = "13900139000", "zhang@example.com"
    citizen.save(update_fields=["phone", "email"])
    people = [
        PetitionerInput(name="张三", phone="13800138000"),
        PetitionerInput(name="张四", phone="138-0013-8000"),  # the same number, typed otherwise
        PetitionerInput(name="王五", phone="0571-88886666"),  # a landline receives no SMS
    ]
    case = register(world, citizen=citizen, petitioners=people, headcount=3)
    queue_step.call(CaseEvent.objects.get(case=case, kind="registered").pk)
    assert [m.phone for m in sms.outbox] == ["13800138000", "13900139000"]
    [email] = mail.outbox
    assert email.to == ["zhang@example.com"] and email.subject == "【示例市信访局】登记告知"
    assert case.query_code in email.body and not email.body.startswith("【")


class _Flaky:
    """A gateway that refuses the first `fails` messages, then accepts."""

    fails = 1
    calls = 0

    def send(self, message: SmsMessage) -> str:
        type(self).calls += 1
        if type(self).calls <= type(self).fails:
            raise SmsError("短信网关拒绝发送（HTTP 503）。")
        sms.outbox.append(message)
        return "gw-" + message.id[:8]


@pytest.fixture
def flaky(settings: Any) -> Iterator[type[_Flaky]]:
    settings.SMS_BACKEND = f"{__name__}._Flaky"
    _Flaky.calls = 0
    yield _Flaky


def test_a_failed_message_is_retried_after_a_wait_then_sent(
    world: World, freeze: Freeze, flaky: type[_Flaky]
) -> None:
    flaky.fails = 1
    freeze("2025-03-03 10:00")
    case = register(world)
    assert queue_step.call(CaseEvent.objects.get(case=case, kind="registered").pk) == 0
    message = PetitionerMessage.objects.get()
    assert (message.status, message.attempts, message.last_error) == (
        "pending",
        1,
        "短信网关拒绝发送（HTTP 503）。",
    )
    assert send_petitioner_messages.call() == 0  # not yet: the first retry waits five minutes
    freeze("2025-03-03 10:06")
    assert send_petitioner_messages.call() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, "")
    assert message.backend_id == "gw-" + message.message_id[:8]
    assert [m.id for m in sms.outbox] == [message.message_id]  # the gateway saw one id throughout


def test_a_message_fails_after_five_attempts_and_the_back_office_may_send_it_again(
    world: World, freeze: Freeze, flaky: type[_Flaky]
) -> None:
    flaky.fails = 100
    freeze("2025-03-03 10:00")
    case = register(world)
    queue_step.call(CaseEvent.objects.get(case=case, kind="registered").pk)
    for moment in ("10:06", "10:22", "11:23", "15:24", "23:59"):
        freeze(f"2025-03-03 {moment}")
        send_petitioner_messages.call()
    message = PetitionerMessage.objects.get()
    assert (message.status, message.attempts, flaky.calls) == ("failed", 5, 5)
    freeze("2025-03-04 10:00")
    assert send_petitioner_messages.call() == 0 and flaky.calls == 5  # failed is final
    assert petitioners.retry([message.pk]) == 1
    flaky.fails = 0
    assert send_petitioner_messages.call() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)


def test_nothing_is_sent_when_petitioner_notifications_are_off(
    world: World, committed: Callable[[Callable[[], Any]], Any], settings: Any
) -> None:
    settings.XINFANG_PETITIONER_SMS = False
    case = committed(lambda: register(world))
    committed(lambda: services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing))
    assert sms.outbox == [] and not PetitionerMessage.objects.exists()


def test_a_step_turned_off_sends_nothing_and_edited_wording_is_used(
    world: World, committed: Callable[[Callable[[], Any]], Any]
) -> None:
    MessageTemplate.objects.filter(key="received").update(is_active=False)
    MessageTemplate.objects.filter(key="forwarded").update(text="编号{编号}已{方式}{单位}。")
    case = committed(lambda: register(world))
    committed(lambda: services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing))
    assert _texts() == [f"【示例市信访局】编号{case.number}已转送示例市住房和城乡建设局。"]


def test_historic_records_send_nothing(
    world: World, tmp_path: Path, committed: Callable[[Callable[[], Any]], Any]
) -> None:
    committed(lambda: call_command("import_cases", str(write_csv(tmp_path / "export.csv", GOOD_ROWS))))
    at = dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)
    with pinned_now(at):  # how the demo generator enters its history
        committed(lambda: register(world))
    assert Case.objects.count() == 6
    assert remind_rating.call() == 0
    assert sms.outbox == [] and not PetitionerMessage.objects.exists()


def test_the_jobs_are_scheduled() -> None:
    jobs = {job.name: job for job in registered_jobs()}
    assert jobs["send_petitioner_messages"].every == dt.timedelta(minutes=5)
    assert jobs["remind_rating"].at_local == dt.time(10, 0)


# --- templates in the back office --------------------------------------------------------------


@pytest.fixture
def admin_client(world: World) -> Client:
    admin = User.objects.create_superuser(username="sysadmin", password="x-Pass-2026", email="")
    client = Client()
    client.force_login(admin)
    return client


def test_every_step_has_its_shipped_template_and_each_renders(db: None) -> None:
    rows = dict(MessageTemplate.objects.values_list("key", "text"))
    assert set(rows) == set(texts.STEPS)
    for key, text in rows.items():
        assert texts.placeholder_problem(key, text) is None
        assert "{" not in texts.sample(text)


def test_the_admin_refuses_a_placeholder_the_step_does_not_know(admin_client: Client) -> None:
    template = MessageTemplate.objects.get(key="received")
    url = f"/admin/notifications/messagetemplate/{template.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "{查询码}" in page and "约 2 条短信" in page  # the placeholders and the preview
    response = admin_client.post(url, {"text": "您的事项{编号}，理由{理由}", "is_active": "on"})
    assert response.status_code == 200
    assert "“登记告知”不能使用占位符 {理由}" in response.content.decode()
    response = admin_client.post(url, {"text": "您的事项{编号", "is_active": "on"})
    assert "花括号不成对" in response.content.decode()
    template.refresh_from_db()
    assert template.text == texts.STEPS["received"].text
    assert admin_client.post(url, {"text": "已登记，编号{编号}。", "is_active": "on"}).status_code == 302
    template.refresh_from_db()
    assert template.text == "已登记，编号{编号}。"


def test_render_substitutes_names_only() -> None:
    assert texts.render("{编号}{编号}", {"编号": "1"}) == "11"
    assert texts.placeholder_problem("received", "{编号.__class__}") is not None
    with pytest.raises(KeyError):
        texts.render("{未知}", {"编号": "1"})


# --- the delivery log ----------------------------------------------------------------------------


def _told_case(world: World) -> Case:
    case = register(world)
    queue_step.call(CaseEvent.objects.get(case=case, kind="registered").pk)
    return case


def test_the_log_in_the_back_office_masks_the_number(world: World, admin_client: Client) -> None:
    _told_case(world)
    page = admin_client.get("/admin/notifications/petitionermessage/").content.decode()
    assert "138****8000" in page and "13800138000" not in page
    assert "登记告知" in page and "已发送" in page
    message = PetitionerMessage.objects.get()
    detail = admin_client.get(f"/admin/notifications/petitionermessage/{message.pk}/change/").content.decode()
    assert "138****8000" in detail and "13800138000" not in detail


def test_the_case_page_lists_the_messages_to_those_who_see_the_case(world: World) -> None:
    case = _told_case(world)
    client = Client()
    client.force_login(world.registrar)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    panel = re.search(r'<section class="card petitioner-messages".*?</section>', page, re.S)
    assert panel is not None
    assert "登记告知" in panel.group(0) and "138****8000" in panel.group(0) and "已发送" in panel.group(0)
    outsider = Client()
    outsider.force_login(world.other_clerk)
    assert outsider.get(f"/cases/{case.pk}/").status_code == 404
    assert list(petitioners.messages_for_case(world.other_clerk, case)) == []
    assert len(petitioners.messages_for_case(world.registrar, case)) == 1


def test_a_mail_server_failure_is_logged_in_chinese_and_retried(world: World, settings: Any) -> None:
    settings.EMAIL_BACKEND = f"{__name__}._BrokenMail"
    citizen: User = world.citizen
    citizen.email = "zhang@example.com"
    citizen.save(update_fields=["email"])
    case = register(world, citizen=citizen)
    queue_step.call(CaseEvent.objects.get(case=case, kind="registered").pk)
    by_channel = dict(PetitionerMessage.objects.values_list("channel", "status"))
    assert by_channel == {"sms": "sent", "email": "pending"}
    failed = PetitionerMessage.objects.get(channel="email")
    assert failed.last_error == "邮件发送失败：ConnectionRefusedError：[Errno 111] Connection refused"


class _BrokenMail:
    def __init__(self, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        raise ConnectionRefusedError(111, "Connection refused")


def test_rereview_is_told_as_final_and_a_later_matter_is_refused_again(
    world: World, committed: Callable[[Callable[[], Any]], Any]
) -> None:
    from xinfang.orgs.models import Role
    from xinfang.orgs.services import membership_grant

    membership_grant(user=world.leader, org=world.province_gov, role=Role.LEADER)
    case = services.case_review_request(actor=world.leader, case=to_delivered(world), reasons="不服")
    case = services.case_review_decide(actor=world.leader, case=case, outcome="uphold", opinion="维持")
    sms.outbox.clear()
    case = committed(lambda: services.case_rereview_request(actor=world.leader, case=case, reasons="不服"))
    earlier = committed(
        lambda: services.case_rereview_decide(actor=world.leader, case=case, outcome="change", opinion="变更")
    )
    later = register(world)
    sms.outbox.clear()
    committed(
        lambda: services.case_refuse_again(
            actor=world.registrar, case=later, earlier=earlier, reasons="同一事实和理由"
        )
    )
    requested, decided = PetitionerMessage.objects.filter(case=earlier).order_by("pk")[:2]
    assert (requested.template, decided.template) == ("rereview_requested", "rereview_decided")
    assert "复核请求已由示例省人民政府" in requested.text
    assert "提出复核意见（变更）" in decided.text and "复核意见为最终处理意见" in decided.text
    [refused] = _texts()
    assert f"与已经复核终结的信访事项（编号{earlier.number}）事实和理由相同" in refused
    assert "示例市信访局不再受理。理由：同一事实和理由。" in refused
