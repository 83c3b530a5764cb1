from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xinfang.cases import services
from xinfang.cases.models import Case, Petitioner
from xinfang.cases.tests.helpers import (
    ID_NUMBER,
    category,
    register,
    reply_approved,
    to_accepted,
    to_delivered,
)
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant, org_update, staff_user_create
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import World
from xinfang.workbench.forms_actions import ACTION_FORMS

BAD_ID = "110105194912310021"  # wrong check digit


def _registration(world: World, *people: dict[str, str], **overrides: Any) -> dict[str, Any]:
    category("030100")  # make sure the code table is loaded
    data: dict[str, Any] = {
        "org": world.city_bureau.pk,
        "channel": "visit",
        "nature": "appeal",
        "category": "030100",
        "subject": "小区住房质量问题",
        "content": "房屋墙体开裂，请求督促维修。",
        "problem_region": world.county.code,
        "received_on": local_date().isoformat(),
        "headcount": "1",
        "via_proper_ladder": "on",
        "p-TOTAL_FORMS": "10",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "10",
    }
    for row, person in enumerate(people):
        for key, value in person.items():
            data[f"p-{row}-{key}"] = value
    data.update(overrides)
    return data


def _row(html: str, number: int) -> str:
    match = re.search(rf'<tr class="petitioner-row[^"]*" data-row="{number}">(.*?)</tr>', html, re.S)
    assert match, f"row {number} not on the page"
    return match.group(1)


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _act(client: Client, case: Case, action: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(f"/cases/{case.pk}/act/{action}/", data or {})


def _ok(response: Any, case: Case) -> Case:
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == f"/cases/{case.pk}/"
    return Case.objects.get(pk=case.pk)


def test_the_registration_page_registers_a_case(world: World) -> None:
    client = _client(world.registrar)
    page = client.get("/cases/new/").content.decode()
    assert "登记信访事项" in page and "住房保障与房地产" in page and "青山县（990121）" in page
    people = [
        {"name": "张三", "id_number": ID_NUMBER, "phone": "13800138000", "is_representative": "on"},
        {"name": "李四", "address": "青山县城关镇幸福路2号"},
    ]
    response = client.post("/cases/new/", _registration(world, *people, headcount="6"))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert _messages(response) == [
        f"已登记，信访件编号 {case.number}，查询码 {case.query_code}。请将查询码告知信访人。"
    ]
    assert (
        case.headcount == 6
        and case.registered_org == world.city_bureau
        and case.problem_region == world.county
    )
    assert case.petitioners.count() == 2 and case.petitioners.filter(is_representative=True).count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "已登记，信访件编号" in detail and 'data-action="forward"' in detail


def test_a_bad_id_number_shows_at_its_row_and_registers_nothing(world: World) -> None:
    people = [{"name": "张三", "id_number": ID_NUMBER}, {"name": "李四", "id_number": BAD_ID}]
    response = _client(world.registrar).post("/cases/new/", _registration(world, *people, headcount="2"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "身份证号码校验位不正确" in _row(html, 2) and "校验位" not in _row(html, 1)
    assert 'value="小区住房质量问题"' in html  # what was typed stays
    assert not Case.objects.exists() and not Petitioner.objects.exists()


def test_blank_rows_are_skipped_and_errors_still_find_their_row(world: World) -> None:
    people = [{"name": "张三"}, {}, {"name": "", "phone": "12ab"}]
    response = _client(world.registrar).post("/cases/new/", _registration(world, *people, headcount="3"))
    html = response.content.decode()
    assert "信访人姓名不能为空" in _row(html, 3) and "field-error" not in _row(html, 2)
    assert not Case.objects.exists()


def test_too_many_representatives_is_shown_above_the_table(world: World) -> None:
    people = [{"name": f"代表{i}", "is_representative": "on"} for i in range(6)]
    response = _client(world.registrar).post("/cases/new/", _registration(world, *people, headcount="9"))
    html = response.content.decode()
    assert "代表人数不得超过 5 人（现为 6 人）" in html
    assert '<details class="more-rows" open>' in html  # row 6 is filled: the extra rows stay open
    assert not Case.objects.exists()


def test_registration_is_for_registering_roles_only(world: World) -> None:
    assert _client(world.leader).get("/cases/new/").status_code == 403
    assert _client(world.citizen).get("/cases/new/").status_code == 403
    assert "登记信访事项" in _client(world.registrar).get("/").content.decode()
    assert "/cases/new/" not in _client(world.handler).get("/").content.decode()


def test_one_case_goes_through_the_pages_from_forward_to_rating(world: World) -> None:
    registrar, handler = _client(world.registrar), _client(world.handler)
    response = registrar.post("/cases/new/", _registration(world, {"name": "张三", "id_number": ID_NUMBER}))
    case = Case.objects.get()
    assert "转送" in registrar.get(f"/cases/{case.pk}/act/forward/").content.decode()

    case = _ok(
        _act(registrar, case, "forward", {"to_org": world.city_housing.pk, "note": "请依法办理"}), case
    )
    assert case.status == "routed" and case.current_org == world.city_housing
    case = _ok(_act(handler, case, "accept", {"note": "已电话告知信访人"}), case)
    assert case.status == "accepted"
    approver = _client(world.approver)
    data = {"days": "20", "reason": "需现场勘验"}
    case = _ok(_act(handler, case, "request_extension", data), case)
    assert case.extension_days == 0  # waits for the approver
    case = _ok(_act(approver, case, "approve_extension", {"note": "同意"}), case)
    assert case.extension_days == 20
    reply = {
        "outcome": "support",
        "request": "请求维修",
        "facts": "墙体开裂属实",
        "reasons": "属保修范围",
        "legal_basis": "《建设工程质量管理条例》第四十条",
        "tags": ["solved", "educated"],
    }
    case = _ok(_act(handler, case, "submit_reply_for_approval", reply), case)
    assert case.status == "accepted"
    case = _ok(_act(approver, case, "approve_reply", {"note": ""}), case)
    assert case.status == "replied"
    response = _act(
        handler, case, "deliver", {"method": "in_person", "delivered_on": local_date().isoformat()}
    )
    case = _ok(response, case)
    assert case.status == "delivered"
    response = _act(registrar, case, "rate", {"track": "bureau", "value": "satisfied"})
    case = _ok(response, case)
    assert case.ratings.get().value == "satisfied"
    assert _messages(response)[-1] == "已完成“满意度评价”。"
    kinds = list(case.events.order_by("seq").values_list("kind", flat=True))
    assert kinds == [
        "registered", "forwarded", "accepted", "extension_requested", "extended", "reply_submitted",
        "reply_approved", "replied", "delivered", "rated",
    ]  # fmt: skip


def test_a_refusal_is_shown_on_the_form(world: World) -> None:
    case = to_accepted(world)
    handler = _client(world.handler)
    services.case_extend(actor=world.handler, case=case, days=10, approver=world.approver, reason="勘验")
    response = _act(handler, case, "request_extension", {"days": "5", "reason": "再延"})
    assert response.status_code == 200
    assert "本件已延期过一次，不能再次延期（第三十四条）。" in response.content.decode()
    # Someone outside the unit: the service's refusal goes to the top of the form.
    response = _act(_client(world.registrar), case, "hearing_start", {"note": "听证"})
    html = response.content.decode()
    assert re.search(
        r'class="error" role="alert">只有示例市住房和城乡建设局的承办人或.*?可以启动听证。', html
    )
    # A step the status does not allow is explained before anything is typed.
    page = handler.get(f"/cases/{case.pk}/act/deliver/").content.decode()
    assert "当前状态为“办理中”，不能送达。" in page


def test_a_reply_without_facts_is_refused_next_to_the_field(world: World) -> None:
    case = to_accepted(world)
    data = {"outcome": "explain", "request": "请求维修", "reasons": "理由", "legal_basis": "条例"}
    html = _act(_client(world.handler), case, "submit_reply_for_approval", data).content.decode()
    assert re.search(r'for="id_facts".*?信访处理意见书应写明查明事实', html, re.S)
    assert Case.objects.get(pk=case.pk).status == "accepted"


def test_a_user_outside_the_policy_gets_404(world: World) -> None:
    case = register(world)
    outsider = _client(world.other_clerk)
    assert outsider.get(f"/cases/{case.pk}/act/forward/").status_code == 404
    assert _act(outsider, case, "forward", {"to_org": world.other_county_labour.pk}).status_code == 404
    assert Case.objects.get(pk=case.pk).status == "registered"
    assert _client(world.registrar).get(f"/cases/{case.pk}/act/nonsense/").status_code == 404


@pytest.mark.parametrize("action", [a.value for a in ACTION_FORMS])
def test_every_action_form_renders(world: World, action: str) -> None:
    case = register(world)
    response = _client(world.registrar).get(f"/cases/{case.pk}/act/{action}/")
    assert response.status_code == 200 and "<form" in response.content.decode()


def test_routing_steps_through_the_pages(world: World) -> None:
    registrar, handler = _client(world.registrar), _client(world.handler)
    case = register(world)
    data = {
        "to_org": world.city_housing.pk,
        "report_due": "2099-01-01",
        "assisting": [world.county_labour.pk],
    }
    case = _ok(_act(registrar, case, "assign", data), case)
    assert case.status == "routed" and case.units.filter(role="assist", is_active=True).count() == 1
    case = _ok(_act(handler, case, "add_assisting", {"org": world.town_office.pk}), case)
    case = _ok(_act(handler, case, "object", {"reasons": "不属本单位职责"}), case)
    assert case.status == "registered" and case.current_org == world.city_bureau
    case = _ok(_act(registrar, case, "decline", {"legal_channel": "litigation", "reasons": "已起诉"}), case)
    assert case.status == "declined"
    other = register(world)
    reply = {
        "outcome": "explain",
        "request": "请求",
        "facts": "事实",
        "reasons": "理由",
        "legal_basis": "依据",
    }
    assert _ok(_act(registrar, other, "answer", reply), other).status == "replied"


def test_hearing_attachment_and_link_through_the_pages(world: World, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    handler = _client(world.handler)
    earlier = register(world)
    case = to_accepted(world)
    assert _ok(_act(handler, case, "hearing_start", {"note": "下周听证"}), case).paused
    assert not _ok(_act(handler, case, "hearing_end", {"conclusion": "事实清楚"}), case).paused
    upload = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    _ok(handler.post(f"/cases/{case.pk}/act/attach/", {"file": upload, "pages": "1"}), case)
    assert case.attachments.get().name == "现场照片.jpg"
    bad = SimpleUploadedFile("病毒.exe", b"MZ", content_type="application/octet-stream")
    html = handler.post(f"/cases/{case.pk}/act/attach/", {"file": bad}).content.decode()
    assert "不支持的文件类型" in html
    registrar = _client(world.registrar)
    case = _ok(_act(registrar, case, "link", {"target_number": earlier.number, "kind": "repeat"}), case)
    assert case.repeat_of == earlier
    html = _act(registrar, case, "link", {"target_number": "NOPE", "kind": "repeat"}).content.decode()
    assert "找不到信访件“NOPE”，或您无权查看。" in html


def test_appeals_termination_and_refusing_again_through_the_pages(world: World) -> None:
    province_clerk = staff_user_create(username="province", full_name="省复核", password="Province-Pass-2026")
    membership_grant(user=province_clerk, org=world.province_gov, role=Role.HANDLER)
    leader, registrar = _client(world.leader), _client(world.registrar)
    # Organs that decide without an approver's sign-off (Org.requires_approval off).
    for organ in (world.city_gov, world.province_gov):
        org_update(org=organ, requires_approval=False)
    case = to_delivered(world)
    case = _ok(_act(leader, case, "review_request", {"reasons": "对处理意见不服"}), case)
    assert case.status == "reviewing" and case.review_org == world.city_gov
    case = _ok(_act(leader, case, "review_decide", {"outcome": "uphold", "opinion": "维持"}), case)
    province = _client(province_clerk)
    case = _ok(_act(province, case, "rereview_request", {"reasons": "仍不服"}), case)
    assert case.status == "rereviewing" and case.review_org == world.province_gov
    case = _ok(_act(province, case, "rereview_decide", {"outcome": "uphold", "opinion": "维持"}), case)
    assert case.status == "terminated"
    again = register(world)
    data = {"earlier_number": case.number, "reasons": "同一事实和理由"}
    assert _ok(_act(registrar, again, "refuse_again", data), again).status == "refused_again"
    accepted = to_delivered(world)
    data = {"reason": "petitioner_accepted"}
    assert _ok(_act(_client(world.handler), accepted, "terminate", data), accepted).status == "terminated"


def test_the_case_page_offers_the_steps_the_user_could_take(world: World) -> None:
    case = services_forward(world)
    bureau = _client(world.registrar).get(f"/cases/{case.pk}/").content.decode()
    unit = _client(world.handler).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="accept"' in unit and 'data-action="object"' in unit
    assert 'data-action="accept"' not in bureau and 'data-action="add_assisting"' in bureau
    assert "本件当前由示例市住房和城乡建设局办理。" in bureau
    delivered = to_delivered(world)
    above = _client(world.leader).get(f"/cases/{delivered.pk}/").content.decode()
    assert 'data-action="review_request"' in above and 'data-action="terminate"' not in above


def services_forward(world: World) -> Case:

    return services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)


def test_the_delivery_form_takes_a_tracking_number_and_the_case_page_shows_it(world: World) -> None:
    from xinfang.cases.tests.helpers import a_reply

    case = reply_approved(actor=world.handler, case=to_accepted(world), reply=a_reply())
    handler = _client(world.handler)
    form = handler.get(f"/cases/{case.pk}/act/deliver/").content.decode()
    assert 'name="tracking_number"' in form and "邮寄单号" in form
    wrong = _act(
        handler,
        case,
        "deliver",
        {"method": "in_person", "delivered_on": local_date().isoformat(), "tracking_number": "EA123456789CN"},
    )
    assert wrong.status_code == 200 and "只有邮寄送达才填写邮寄单号。" in wrong.content.decode()
    data = {"method": "post", "delivered_on": local_date().isoformat(), "tracking_number": "EA123456789CN"}
    case = _ok(_act(handler, case, "deliver", data), case)
    page = handler.get(f"/cases/{case.pk}/").content.decode()
    assert "邮寄单号 EA123456789CN" in page
    assert f'href="/cases/{case.pk}/documents/delivery_receipt/"' in page
