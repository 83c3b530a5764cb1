"""The portal's pages through the test client: accounts, 写信, 查询, the case page and its forms."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xinfang.cases import services
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import a_reply, category, reply_approved
from xinfang.core import sms
from xinfang.orgs.models import User
from xinfang.portal.tests.helpers import ID_NUMBER, OTHER_ID, PASSWORD, citizen, last_code
from xinfang.portal.tests.test_submissions import CONTENT, PNG, SUBJECT, submit
from xinfang.testing.pdf import page_texts
from xinfang.testing.world import PASSWORD as WORLD_PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(world: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "problem_region": world.county.pk,
        "category": category("030000").pk,
        "org": world.city_bureau.pk,
        "nature": "appeal",
        "subject": SUBJECT,
        "content": CONTENT,
        "consent": "on",
        "token": "form-token-1",
    }
    data.update(overrides)
    return data


def test_registering_takes_a_code_then_the_identity_and_signs_in(world: Any) -> None:
    client = Client()
    page = client.get("/portal/register/")
    assert page.status_code == 200 and "获取验证码" in page.text
    sent = client.post("/portal/register/", {"phone": "13800138000", "full_name": "张三", "send_code": "1"})
    assert "验证码已发送至 138****8000" in sent.text
    assert 'value="张三"' in sent.text  # what was typed stays
    code = last_code("13800138000")
    done = client.post(
        "/portal/register/",
        {
            "phone": "13800138000",
            "code": code,
            "full_name": "张三",
            "id_number": "11010519491231002X",
            "password": PASSWORD,
        },
    )
    assert done.status_code == 302
    assert "我的信访" in client.get("/portal/").text


def test_a_bad_id_number_is_shown_next_to_its_field_and_the_rest_is_kept(world: Any) -> None:
    client = Client()
    client.post("/portal/register/", {"phone": "13800138000", "send_code": "1"})
    page = client.post(
        "/portal/register/",
        {
            "phone": "13800138000",
            "code": last_code("13800138000"),
            "full_name": "张三",
            "id_number": "110105194912310021",
            "password": PASSWORD,
        },
    )
    assert page.status_code == 200
    assert 'id="id_id_number-error"' in page.text and "校验位" in page.text
    assert re.search(r'aria-describedby="[^"]*id_id_number-error', page.text)
    assert 'aria-invalid="true"' in page.text
    assert 'value="110105194912310021"' in page.text and 'value="张三"' in page.text


def test_login_with_password_and_with_an_sms_code(world: Any) -> None:
    citizen()
    client = Client()
    bad = client.post("/portal/login/", {"mode": "password", "phone": "13800138000", "password": "wrong"})
    assert "手机号码或密码不正确" in bad.text
    ok = client.post("/portal/login/", {"mode": "password", "phone": "13800138000", "password": PASSWORD})
    assert ok.status_code == 302
    other = Client()
    other.post("/portal/login/", {"mode": "code", "phone": "13800138000", "send_code": "1"})
    code = last_code("13800138000")
    assert (
        other.post("/portal/login/", {"mode": "code", "phone": "13800138000", "code": code}).status_code
        == 302
    )
    assert other.get("/portal/cases/").status_code == 200


def test_the_portal_session_expires(world: Any, settings: Any) -> None:
    settings.XINFANG_PORTAL_SESSION_SECONDS = 1800
    citizen()
    client = Client()
    client.post("/portal/login/", {"mode": "password", "phone": "13800138000", "password": PASSWORD})
    assert client.session.get_expiry_age() == 1800


def test_password_logins_are_throttled_like_the_staff_login(world: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    citizen()
    client = Client()
    for _ in range(3):
        client.post("/portal/login/", {"mode": "password", "phone": "13800138000", "password": "wrong"})
    locked = client.post("/portal/login/", {"mode": "password", "phone": "13800138000", "password": PASSWORD})
    assert locked.status_code == 429 and "登录失败次数过多" in locked.text
    assert "_auth_user_id" not in client.session


def test_a_staff_account_is_not_signed_in_at_the_portal(world: Any) -> None:
    page = Client().post("/portal/login/", {"mode": "password", "phone": "registrar", "password": PASSWORD})
    assert "_auth_user_id" not in page.wsgi_request.session
    assert signed_in(world.registrar).get("/portal/submit/").status_code == 403


def test_every_form_needs_its_csrf_token(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/portal/login/", {"phone": "13800138000", "password": PASSWORD}).status_code == 403
    assert client.post("/portal/lookup/", {"number": "1", "code": "2"}).status_code == 403


def test_writing_needs_an_account(world: Any) -> None:
    response = Client().get("/portal/submit/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/login/")


def test_a_submission_gives_the_number_the_code_and_the_date(world: Any, freeze: Any) -> None:
    freeze("2026-12-01 10:00")
    user = citizen()
    client = signed_in(user)
    form = client.get("/portal/submit/")
    assert 'name="token"' in form.text and "legal-route-guide" in form.text and "data-count" in form.text
    assert f'data-region="{world.town.pk}" data-org="{world.city_bureau.pk}"' in form.text
    data = _form(world, files=SimpleUploadedFile("照片.png", PNG, content_type="image/png"))
    response = client.post("/portal/submit/", data)
    assert response.status_code == 302, re.findall(r"(?:field|form)-error[^>]*>([^<]*)", response.text)
    case = Case.objects.get()
    page = client.get(response["Location"])
    assert case.number in page.text and case.query_code in page.text
    assert "示例市信访局应在2026年12月16日前告知是否受理" in page.text
    assert case.attachments.count() == 1
    again = client.post("/portal/submit/", _form(world))  # the same token: a retry
    assert again.status_code == 302 and Case.objects.count() == 1


def test_a_refused_submission_keeps_what_was_typed(world: Any) -> None:
    client = signed_in(citizen())
    page = client.post("/portal/submit/", _form(world, consent="", subject="我的标题"))
    assert page.status_code == 200 and "请阅读并勾选同意" in page.text
    assert 'value="我的标题"' in page.text and CONTENT in page.text
    page = client.post(
        "/portal/submit/", _form(world, files=SimpleUploadedFile("照片.jpg", b"not a picture"))
    )
    assert "内容与其类型" in page.text and 'id="id_files-error"' in page.text
    assert not Case.objects.exists()


def test_a_similar_earlier_matter_is_shown_before_sending(world: Any) -> None:
    user = citizen()
    first, _ = submit(world, user)
    client = signed_in(user)
    page = client.post("/portal/submit/", _form(world, token="new-token"))
    assert page.status_code == 200
    assert f"提交过相似事项（编号{first.number}" in page.text and "可补充材料" in page.text
    assert f"/portal/cases/{first.pk}/supplement/" in page.text
    assert Case.objects.count() == 1
    sent = client.post("/portal/submit/", _form(world, token="new-token", confirm_new="on"))
    assert sent.status_code == 302 and Case.objects.count() == 2


def test_another_citizen_cannot_open_a_case_by_url_or_by_guessing_codes(world: Any) -> None:
    owner = citizen()
    case, _ = submit(world, owner)
    other = signed_in(citizen(phone="13900139000", name="李四", id_number=OTHER_ID))
    for path in ("", "supplement/", "appeal/", "submitted/", "documents/reply_opinion/"):
        assert other.get(f"/portal/cases/{case.pk}/{path}").status_code == 404, path
    wrong = other.post("/portal/lookup/", {"number": case.number, "code": "ABCDEFGHJK"})
    missing = other.post("/portal/lookup/", {"number": "000000000", "code": "ABCDEFGHJK"})
    assert "信访件编号或查询码不正确" in wrong.text and "信访件编号或查询码不正确" in missing.text
    assert other.get(f"/portal/cases/{case.pk}/").status_code == 404
    assert Client().get(f"/portal/cases/{case.pk}/").status_code == 404
    assert signed_in(owner).get(f"/portal/cases/{case.pk}/").status_code == 200


def test_the_number_and_code_open_the_case_without_an_account(world: Any) -> None:
    case, _ = submit(world, citizen())
    client = Client()
    response = client.post("/portal/lookup/", {"number": case.number, "code": case.query_code})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert case.subject in page.text and "示例市信访局正在审查" in page.text


def _delivered(world: Any, user: User) -> Case:
    case, _ = submit(world, user)
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    case = services.case_accept(actor=world.handler, case=case)
    case = reply_approved(actor=world.handler, case=case, reply=a_reply())
    return services.case_deliver(actor=world.handler, case=case, method="online")


def test_the_delivered_reply_is_downloaded_rated_and_appealed(world: Any) -> None:
    user = citizen()
    case = _delivered(world, user)
    client = signed_in(user)
    page = client.get(f"/portal/cases/{case.pk}/")
    assert "信访处理意见书" in page.text and "满意度评价" in page.text and "申请复查" in page.text
    assert "checked" not in page.text  # no preselected rating
    download = client.get(f"/portal/cases/{case.pk}/documents/reply_opinion/")
    assert download.status_code == 200 and download.content.startswith(b"PK")
    assert client.get(f"/portal/cases/{case.pk}/documents/routing_slip/").status_code == 404
    refused = client.post(
        f"/portal/cases/{case.pk}/rate/",
        {"track_key": "unit", "unit-track": "unit", "unit-value": "dissatisfied"},
    )
    assert refused.status_code == 400 and "评价为“不满意”的，请写明理由" in refused.text
    assert 'id="id_unit-reason-error"' in refused.text and not case.ratings.exists()
    rated = client.post(
        f"/portal/cases/{case.pk}/rate/",
        {
            "track_key": "unit",
            "unit-track": "unit",
            "unit-value": "dissatisfied",
            "unit-reason": "墙体仍渗水",
        },
    )
    assert rated.status_code == 302 and case.ratings.get().reason == "墙体仍渗水"
    form = client.get(f"/portal/cases/{case.pk}/appeal/")
    assert "第三十五条" in form.text
    done = client.post(
        f"/portal/cases/{case.pk}/appeal/",
        {"reasons": "维修不彻底", "files": SimpleUploadedFile("照片.png", PNG)},
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == "reviewing" and case.attachments.count() == 1
    assert "申请复查" in client.get(f"/portal/cases/{case.pk}/").text


def test_the_letters_are_offered_as_word_and_as_pdf_to_their_petitioner_only(world: Any) -> None:
    user = citizen()
    case = _delivered(world, user)
    client = signed_in(user)
    page = client.get(f"/portal/cases/{case.pk}/")
    path = f"/portal/cases/{case.pk}/documents/reply_opinion/"
    assert f'href="{path}?format=pdf"' in page.text and f'href="{path}"' in page.text
    pdf = client.get(f"{path}?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and "filename*=UTF-8''" in pdf["Content-Disposition"]
    assert "信访处理意见书" in "".join(page_texts(pdf.content))
    assert client.get(f"{path}?format=odt").status_code == 404
    assert client.get(f"/portal/cases/{case.pk}/documents/routing_slip/?format=pdf").status_code == 404
    other = signed_in(citizen(phone="13900139000", name="李四", id_number=OTHER_ID))
    assert other.get(f"{path}?format=pdf").status_code == 404
    assert Client().get(f"{path}?format=pdf").status_code == 404
    # Opened with its 查询码, the case gives its letters in both formats, as its page lists them.
    visitor = Client()
    visitor.post("/portal/lookup/", {"number": case.number, "code": case.query_code})
    assert visitor.get(f"{path}?format=pdf").content.startswith(b"%PDF-")


def test_the_pdf_names_the_petitioner_as_the_docx_does_and_shows_no_id_number_or_phone(world: Any) -> None:
    user = citizen()
    case = _delivered(world, user)
    text = "".join(
        page_texts(
            signed_in(user).get(f"/portal/cases/{case.pk}/documents/reply_opinion/?format=pdf").content
        )
    )
    assert "张三：" in text
    assert "13800138000" not in text and ID_NUMBER not in text


def test_material_is_supplemented_from_the_case_page(world: Any) -> None:
    user = citizen()
    case, _ = submit(world, user)
    client = signed_in(user)
    empty = client.post(f"/portal/cases/{case.pk}/supplement/", {})
    assert "请选择要上传的文件" in empty.text
    done = client.post(f"/portal/cases/{case.pk}/supplement/", {"files": SimpleUploadedFile("补充.png", PNG)})
    assert done.status_code == 302 and case.attachments.count() == 1


def test_no_sms_leaves_for_a_number_without_an_account_when_logging_in(world: Any) -> None:
    page = Client().post("/portal/login/", {"mode": "code", "phone": "13700137000", "send_code": "1"})
    assert "验证码已发送" in page.text and sms.outbox == []


def test_an_account_without_identity_is_verified_before_writing(world: Any) -> None:
    client = Client()
    # The world's citizen was opened without 实名: it signs in with its user name.
    signed = client.post(
        "/portal/login/", {"mode": "password", "phone": "citizen", "password": WORLD_PASSWORD}
    )
    assert signed.status_code == 302
    assert client.get("/portal/submit/")["Location"] == "/portal/verify/"
    client.post("/portal/verify/", {"phone": "13600136000", "send_code": "1"})
    done = client.post(
        "/portal/verify/",
        {"phone": "13600136000", "code": last_code("13600136000"), "id_number": "11010519491231002X"},
    )
    assert done.status_code == 302
    assert client.get("/portal/submit/").status_code == 200
    assert world.citizen.citizen_profile.id_number_hash
