"""Pages of 信访听证: the list by status, starting from a case (application or decision), every step
through the hearing's page, refusals on the form, the documents, and 404 for outsiders."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from docx import Document

from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register, to_accepted
from xinfang.leadership.models.hearings import Hearing, HearingParticipant
from xinfang.leadership.services import hearings as svc
from xinfang.testing.pages import page_text as _page
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import PASSWORD, World

Freeze = Callable[[str], dt.datetime]


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data)


def _done(client: Client, response: Any, hearing: Hearing) -> str:
    """A step went through: redirected to the hearing's page, which shows the message."""
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/leadership/hearings/{hearing.pk}/"
    return _page(client, response["Location"])


@pytest.fixture
def case(world: World, freeze: Freeze) -> Case:
    freeze("2026-03-02 10:00")
    return to_accepted(world)  # handled by 示例市住房和城乡建设局


def _start(client: Client, case: Case, **data: Any) -> Any:
    return client.post(f"/leadership/hearings/new/?case={case.pk}", data)


def test_the_whole_procedure_through_the_pages(world: World, case: Case, freeze: Freeze) -> None:
    client = _client(world.handler)
    form = _page(client, f"/leadership/hearings/new/?case={case.pk}")
    assert "组织听证" in form and "信访人申请" in form and "机关决定" in form
    assert "听证机关：示例市住房和城乡建设局" in form
    response = _start(
        client,
        case,
        origin="applied",
        org=world.city_housing.pk,
        applied_on="2026-03-02",
        application="申请听证",
    )
    hearing = Hearing.objects.get()
    page = _done(client, response, hearing)
    assert (
        "已登记听证申请" in page
        and "已申请" in page
        and "同意听证申请" in page
        and "不予听证" in page
        and "终止听证" in page
    )
    url = f"/leadership/hearings/{hearing.pk}"
    assert (
        _post(
            client, f"{url}/accept/", {"accept-decided_on": "2026-03-02", "accept-decision": "同意"}
        ).status_code
        == 302
    )
    page = _page(client, f"{url}/")
    assert "已同意听证申请" in page and "发布听证公告" in page
    response = _post(
        client,
        f"{url}/announce/",
        {
            "announce-announced_on": "2026-03-02",
            "announce-scheduled_at": "2026-03-06T09:30",
            "announce-venue": "市住建局三楼会议室",
            "announce-announcement": "定于3月6日举行听证。",
        },
    )
    assert response.status_code == 302
    page = _page(client, f"{url}/")
    assert "已发布听证公告" in page and "听证通知书（.docx）" in page and "重新公告" in page
    for role, name in [("host", "周主持"), ("petitioner", "张三"), ("npc_deputy", "人大代表甲")]:
        response = _post(client, f"{url}/participants/", {"participant-role": role, "participant-name": name})
        assert response.status_code == 302
    page = _page(client, f"{url}/")
    assert "主持人" in page and "人大代表甲" in page
    deputy = HearingParticipant.objects.get(name="人大代表甲")
    assert _post(client, f"{url}/participants/{deputy.pk}/remove/", {}).status_code == 302
    assert "已移除参加人 人大代表甲" in _page(client, f"{url}/")
    notice = client.get(f"{url}/documents/notice/")
    assert notice.status_code == 200 and notice["Content-Type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(notice.content)).paragraphs)
    assert "听证通知书" in text and "市住建局三楼会议室" in text and "主持人：周主持" in text
    freeze("2026-03-06 09:30")
    client.force_login(world.handler)  # a new day, a new session
    assert _post(client, f"{url}/open/", {"open-started_on": "2026-03-06"}).status_code == 302
    page = _page(client, f"{url}/")
    assert "听证已开始" in page and "听证过程记录" in page and "作出听证结论" in page
    assert Case.objects.get(pk=case.pk).paused
    record = {
        "record-statement": "信访人陈述。",
        "record-questioning": "主持人询问。",
        "record-debate": "双方辩论。",
        "record-deliberation": "听证员评议。",
    }
    assert _post(client, f"{url}/record/", record).status_code == 302
    page = _page(client, f"{url}/")
    assert "已保存听证过程记录" in page and "听证员评议。" in page
    response = _post(
        client, f"{url}/conclude/", {"conclude-ended_on": "2026-03-06", "conclude-conclusion": "诉求合理。"}
    )
    assert response.status_code == 302
    page = _page(client, f"{url}/")
    assert "已作出听证结论" in page and "听证结论（.docx）" in page and "公开听证结论" in page
    assert not Case.objects.get(pk=case.pk).paused
    conclusion = client.get(f"{url}/documents/conclusion/")
    text = "\n".join(p.text for p in Document(io.BytesIO(conclusion.content)).paragraphs)
    assert "听证结论" in text and "陈述：信访人陈述。" in text and "诉求合理。" in text
    assert _post(client, f"{url}/publish/", {"publish-published_on": "2026-03-06"}).status_code == 302
    page = _page(client, f"{url}/")
    assert "结论已公开" in page and "公开听证结论" in page  # the status and the trail
    assert list(hearing.events.values_list("kind", flat=True)) == [
        "applied",
        "accepted",
        "announced",
        "participant_added",
        "participant_added",
        "participant_added",
        "participant_removed",
        "opened",
        "recorded",
        "concluded",
        "published",
    ]


def test_a_decision_by_the_organ_starts_at_decided(world: World, case: Case) -> None:
    client = _client(world.approver)
    response = _start(client, case, origin="decided", decided_on="2026-03-02", decision="事项复杂，决定听证")
    hearing = Hearing.objects.get()
    assert response.status_code == 302 and hearing.status == "decided"
    page = _page(client, f"/leadership/hearings/{hearing.pk}/")
    assert "已决定举行听证" in page and "发布听证公告" in page and "同意听证申请" not in page


def test_a_refused_start_comes_back_on_the_form_with_the_field(world: World, case: Case) -> None:
    client = _client(world.handler)
    html = _start(
        client, case, origin="applied", org=world.city_housing.pk, applied_on="2026-03-02"
    ).content.decode()
    assert "请填写申请事项和理由。" in html and not Hearing.objects.exists()
    html = _start(
        client, case, origin="applied", org=world.city_housing.pk, applied_on="2026-03-09", application="x"
    ).content.decode()
    assert "申请日期不能晚于今天。" in html
    match = re.search(r'<label for="id_applied_on">.*?</div>', html, re.S)
    assert match and "申请日期不能晚于今天" in match.group(0)  # on the field
    assert "请选择启动方式" in _start(client, case).content.decode()


def test_staff_outside_the_organ_see_no_form_and_are_refused(world: World, case: Case) -> None:
    client = _client(world.registrar)  # sees the case, holds no role in the unit
    page = _page(client, f"/leadership/hearings/new/?case={case.pk}")
    assert "只有办理该信访件的机关" in page
    html = _start(client, case, origin="decided", decided_on="2026-03-02", decision="x").content.decode()
    assert "只有办理该信访件的机关或其复查（复核）机关的承办人" in html
    assert not Hearing.objects.exists()


def test_a_user_who_cannot_see_the_case_gets_404(world: World, case: Case) -> None:
    outsider = _client(world.other_clerk)
    assert outsider.get(f"/leadership/hearings/new/?case={case.pk}").status_code == 404
    assert (
        outsider.post(f"/leadership/hearings/new/?case={case.pk}", {"origin": "decided"}).status_code == 404
    )
    assert outsider.get("/leadership/hearings/new/").status_code == 404
    assert outsider.get("/leadership/hearings/new/?case=abc").status_code == 404
    hearing = svc.hearing_start(
        actor=world.handler, case=case, origin="decided", decided_on=case.received_on, decision="决定"
    )
    url = f"/leadership/hearings/{hearing.pk}"
    assert outsider.get(f"{url}/").status_code == 404
    assert outsider.post(f"{url}/announce/", {}).status_code == 404
    assert outsider.get(f"{url}/documents/notice/").status_code == 404
    assert hearing.case.number not in _page(outsider, "/leadership/hearings/?tab=all")
    assert hearing.case.number in _page(_client(world.handler), "/leadership/hearings/")


def test_a_step_refused_by_the_service_comes_back_with_its_error(world: World, case: Case) -> None:
    client = _client(world.handler)
    hearing = svc.hearing_start(
        actor=world.handler, case=case, origin="decided", decided_on=case.received_on, decision="决定"
    )
    url = f"/leadership/hearings/{hearing.pk}"
    html = _post(
        client,
        f"{url}/announce/",
        {
            "announce-announced_on": "2026-03-02",
            "announce-scheduled_at": "2026-03-01T09:30",
            "announce-venue": "会议室",
            "announce-announcement": "公告",
        },
    ).content.decode()
    assert "听证时间不能早于今天。" in html
    match = re.search(r'<label for="id_announce-scheduled_at">.*?</div>', html, re.S)
    assert match and "听证时间不能早于今天" in match.group(0)
    # empty fields: the form's own messages
    html = _post(client, f"{url}/announce/", {}).content.decode()
    assert "请填写听证时间。" in html and "请填写听证地点。" in html
    # a session without a host: above the form
    svc.hearing_announce(
        actor=world.handler,
        hearing=hearing,
        announced_on=case.received_on,
        announcement="公告",
        scheduled_at=dt.datetime(2026, 3, 2, 15, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        venue="会议室",
    )
    html = _post(client, f"{url}/open/", {"open-started_on": "2026-03-02"}).content.decode()
    assert "请先确定听证主持人。" in html and 'role="alert"' in html
    # a step of another status: refused on the form, nothing written
    html = _post(client, f"{url}/publish/", {"publish-published_on": "2026-03-02"}).content.decode()
    assert "听证状态为“已公告”，不能公开听证结论。" in html


def test_a_removal_refused_during_the_session_says_why(world: World, case: Case) -> None:
    hearing = svc.hearing_start(
        actor=world.handler, case=case, origin="decided", decided_on=case.received_on, decision="决定"
    )
    svc.hearing_announce(
        actor=world.handler,
        hearing=hearing,
        announced_on=case.received_on,
        announcement="公告",
        scheduled_at=dt.datetime(2026, 3, 2, 15, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        venue="会议室",
    )
    host = svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="host", name="周主持")
    svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="petitioner", name="张三")
    svc.hearing_open(actor=world.handler, hearing=hearing, started_on=case.received_on)
    client = _client(world.handler)
    html = _post(
        client, f"/leadership/hearings/{hearing.pk}/participants/{host.pk}/remove/", {}
    ).content.decode()
    assert "听证进行中，不能移除主持人。" in html
    assert HearingParticipant.objects.filter(pk=host.pk).exists()
    assert client.post(f"/leadership/hearings/{hearing.pk}/participants/999999/remove/").status_code == 404


def test_the_list_has_tabs_by_status(world: World, case: Case) -> None:
    client = _client(world.handler)
    first = svc.hearing_start(
        actor=world.handler, case=case, origin="applied", applied_on=case.received_on, application="申请"
    )
    svc.hearing_refuse(actor=world.handler, hearing=first, decided_on=case.received_on, reason="无需听证")
    other = to_accepted(world, register(world, subject="物业收费纠纷"))
    svc.hearing_start(
        actor=world.handler, case=other, origin="decided", decided_on=other.received_on, decision="决定"
    )
    open_tab = _page(client, "/leadership/hearings/")
    assert other.number in open_tab and case.number not in open_tab
    assert re.search(r'class="tab active">进行中 <span class="count">1</span>', open_tab)
    refused = _page(client, "/leadership/hearings/?tab=refused")
    assert case.number in refused and other.number not in refused
    every = _page(client, "/leadership/hearings/?tab=all")
    assert case.number in every and other.number in every
    assert other.number in _page(client, "/leadership/hearings/?tab=bogus")  # falls back to 进行中
    assert "没有符合条件的听证" in _page(client, "/leadership/hearings/?tab=published")


def test_a_document_not_yet_available_is_404(world: World, case: Case) -> None:
    hearing = svc.hearing_start(
        actor=world.handler, case=case, origin="decided", decided_on=case.received_on, decision="决定"
    )
    client = _client(world.handler)
    assert client.get(f"/leadership/hearings/{hearing.pk}/documents/notice/").status_code == 404
    assert client.get(f"/leadership/hearings/{hearing.pk}/documents/bogus/").status_code == 404


def test_the_pages_need_a_staff_login(world: World, case: Case) -> None:
    assert Client().get("/leadership/hearings/").status_code == 302
    assert _client(world.citizen).get("/leadership/hearings/").status_code == 403
    assert _client(world.handler).get("/leadership/hearings/1/accept/").status_code == 405


def test_the_hearing_page_shows_no_forms_to_a_viewer_without_a_role(world: World, case: Case) -> None:
    hearing = svc.hearing_start(
        actor=world.handler, case=case, origin="decided", decided_on=case.received_on, decision="决定"
    )
    svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="host", name="周主持")
    forms = re.compile(r'<form method="post" action="/leadership/hearings/')
    viewer = _page(_client(world.registrar), f"/leadership/hearings/{hearing.pk}/")  # sees the case
    assert "周主持" in viewer and "决定听证" in viewer
    assert not forms.search(viewer) and "移除" not in viewer
    staff = _page(_client(world.handler), f"/leadership/hearings/{hearing.pk}/")
    assert f'action="/leadership/hearings/{hearing.pk}/announce/#step-announce"' in staff
    assert f'action="/leadership/hearings/{hearing.pk}/withdraw/#step-withdraw"' in staff and "移除" in staff


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_hearing_pages_fit_a_phone_screen(live_server: Any, world: World, page: Any) -> None:
    case = to_accepted(world)
    hearing = svc.hearing_start(
        actor=world.handler, case=case, origin="decided", decided_on=case.received_on, decision="决定听证"
    )
    svc.hearing_add_participant(
        actor=world.handler, hearing=hearing, role="cppcc_member", name="政协委员乙", affiliation="市政协委员"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "handler")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for path in (
        "/leadership/hearings/",
        f"/leadership/hearings/new/?case={case.pk}",
        f"/leadership/hearings/{hearing.pk}/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
