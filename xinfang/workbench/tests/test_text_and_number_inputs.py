"""Control characters and out-of-range numbers typed into the staff pages, and documents of a case
stored with control characters before inputs were normalised."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from xinfang.cases import services
from xinfang.cases.documents import DOCUMENT_KINDS, available_documents
from xinfang.cases.models import Case, CaseEvent, Petitioner
from xinfang.cases.tests.helpers import a_reply, register, reply_approved, to_accepted
from xinfang.core.forms import TextField
from xinfang.core.text import FORBIDDEN_PATTERN
from xinfang.orgs.models import Org, Role
from xinfang.orgs.services import membership_grant
from xinfang.supervision import services as supervision_services
from xinfang.supervision.letters import LETTERS
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import World
from xinfang.workbench.alerts import AlertReviewForm
from xinfang.workbench.forms_actions import ACTION_FORMS
from xinfang.workbench.forms_cases import PetitionerForm, RegistrationForm
from xinfang.workbench.supervision import CloseForm, FeedbackForm, SupervisionOpenForm
from xinfang.workbench.tests.test_actions_pages import _registration
from xinfang.workbench.tests.test_alert_reviews_page import _alert

Freeze = Callable[[str], dt.datetime]

PASTED = "第一段\x0b第二段\r\n第三段\x00\x07\x7f\x85"  # a Word line break, CR LF, NUL, BEL, DEL, NEL
CLEANED = "第一段\n第二段\n第三段"
TOO_LARGE = "99999999999999999999"

STAFF_FORMS: list[type[forms.Form]] = [
    RegistrationForm,
    PetitionerForm,
    *ACTION_FORMS.values(),
    SupervisionOpenForm,
    FeedbackForm,
    CloseForm,
    AlertReviewForm,
]


# ---------------------------------------------------------------- every form


@pytest.mark.parametrize("form_class", STAFF_FORMS, ids=lambda form: form.__name__)
def test_every_text_input_of_the_staff_forms_normalises_control_characters(
    form_class: type[forms.Form],
) -> None:
    texts = {name: f for name, f in form_class.base_fields.items() if isinstance(f, forms.CharField)}
    for name, field in texts.items():
        assert isinstance(field, TextField), f"{form_class.__name__}.{name} is a plain CharField"
        assert field.clean(PASTED) == CLEANED


@pytest.mark.parametrize("form_class", STAFF_FORMS, ids=lambda form: form.__name__)
def test_every_integer_input_of_the_staff_forms_has_both_bounds(form_class: type[forms.Form]) -> None:
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.IntegerField):
            assert field.min_value is not None and field.max_value is not None, (
                f"{form_class.__name__}.{name}"
            )
            assert field.max_value < 2**63, f"{form_class.__name__}.{name}"


# ---------------------------------------------------------------- texts


def test_a_note_pasted_with_a_vertical_tab_is_stored_normalised(world: World) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    response = _client(world.handler).post(f"/cases/{case.pk}/act/accept/", {"note": PASTED})
    assert response.status_code == 302, response.content.decode()[:2000]
    event = CaseEvent.objects.get(case=case, kind="accepted")
    assert event.payload["note"] == CLEANED


def test_a_registration_pasted_with_control_characters_is_stored_normalised(world: World) -> None:
    person = {"name": "张\x0b三", "address": f"青山县{PASTED}", "phone": "13800138000\x00"}
    data = _registration(world, person, subject="住房\x0b质量\x1f问题", content=PASTED)
    response = _client(world.registrar).post("/cases/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert (case.subject, case.content) == ("住房\n质量问题", CLEANED)
    petitioner = Petitioner.objects.get(case=case)
    assert petitioner.address == f"青山县{CLEANED}"
    assert petitioner.name == "张\n三"


def test_the_case_search_ignores_control_characters(world: World) -> None:
    case = register(world, subject="小区住房质量问题")
    response = _client(world.registrar).get("/cases/", {"q": "住房\x00质量"})
    assert response.status_code == 200 and case.number in response.content.decode()


# ---------------------------------------------------------------- documents


def _dirty(text: str) -> str:
    # No NUL: PostgreSQL cannot store one at all, so no stored text can contain it.
    return f"{text[:2]}\x0b{text[2:]}\x01\x1b\x7f\x85\ufffe" if text else "\x0c"


def _store_control_characters(case: Case) -> None:
    """Put control characters into everything a document prints, straight through the ORM."""
    Case.objects.filter(pk=case.pk).update(
        subject=_dirty(case.subject), content=_dirty(case.content), accused_person="\x0b"
    )
    for petitioner in Petitioner.objects.filter(case=case):
        Petitioner.objects.filter(pk=petitioner.pk).update(address=_dirty(petitioner.address or "住址"))
    for event in CaseEvent.objects.filter(case=case):
        payload = {k: _dirty(v) if isinstance(v, str) else v for k, v in event.payload.items()}
        CaseEvent.objects.filter(pk=event.pk).update(payload=payload)
    for org in Org.objects.all():
        Org.objects.filter(pk=org.pk).update(name=_dirty(org.name), short_name=_dirty(org.short_name))


def _assert_docx(response: Any) -> str:
    assert response.status_code == 200, response.content[:500]
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert FORBIDDEN_PATTERN.search(text) is None
    return text


def test_every_document_of_a_case_stored_with_control_characters_downloads(
    world: World, freeze: Freeze
) -> None:
    freeze("2025-03-03 09:00")
    climbed = register(world, received_on=dt.date(2025, 3, 3))
    freeze("2025-03-04 10:00")
    climbed = services.case_forward(actor=world.registrar, case=climbed, to_org=world.city_housing)
    climbed = services.case_accept(actor=world.handler, case=climbed, note="受理")
    freeze("2025-04-20 15:00")
    climbed = services.case_extend(
        actor=world.handler, case=climbed, days=30, approver=world.approver, reason="需委托鉴定"
    )
    freeze("2025-05-20 10:00")
    climbed = reply_approved(actor=world.handler, case=climbed, reply=a_reply())
    climbed = services.case_deliver(actor=world.handler, case=climbed, method="in_person")
    freeze("2025-05-26 10:00")
    climbed = services.case_review_request(actor=world.leader, case=climbed, reasons="不服")
    freeze("2025-06-10 10:00")
    climbed = services.case_review_decide(actor=world.leader, case=climbed, outcome="uphold", opinion="维持")
    membership_grant(user=world.leader, org=world.province_gov, role=Role.LEADER)
    freeze("2025-06-15 10:00")
    climbed = services.case_rereview_request(actor=world.leader, case=climbed, reasons="仍然不服")
    freeze("2025-07-01 10:00")
    climbed = services.case_rereview_decide(
        actor=world.leader, case=climbed, outcome="uphold", opinion="维持"
    )
    declined = services.case_decline(
        actor=world.registrar, case=register(world), legal_channel="litigation", reasons="应通过诉讼解决"
    )
    for case in (climbed, declined):
        _store_control_characters(case)

    client = _client(world.registrar)
    downloaded = set()
    for case in (climbed, declined):
        for kind, _title in available_documents(case):
            text = _assert_docx(client.get(f"/cases/{case.pk}/documents/{kind}/"))
            assert text.strip(), kind
            downloaded.add(kind)
    assert downloaded == set(DOCUMENT_KINDS)
    reply = _assert_docx(client.get(f"/cases/{climbed.pk}/documents/reply_opinion/"))
    assert "经现\n场核查" in reply  # the VT became a line break


def test_both_supervision_letters_of_a_case_stored_with_control_characters_download(
    world: World, freeze: Freeze
) -> None:
    freeze("2025-03-03 10:00")
    case = to_accepted(world)
    supervision = supervision_services.supervision_open(
        actor=world.bureau_head,
        org=world.city_bureau,
        case=case,
        reason="delay",
        details="请核实并书面反馈。",
        feedback_due=dt.date(2025, 3, 10),
    )
    supervision = supervision_services.supervision_feedback(
        actor=world.handler, supervision=supervision, text="已督促开发商维修。"
    )
    supervision_services.supervision_close(
        actor=world.bureau_head, supervision=supervision, note="反馈不实", recommend_accountability=True
    )
    _store_control_characters(case)
    type(supervision).objects.filter(pk=supervision.pk).update(
        details="请核实\x0b并书面反馈\x08。", feedback="已督促\x01。", closing_note="反馈\x0c不实"
    )
    client = _client(world.bureau_head)
    for kind in LETTERS:
        _assert_docx(client.get(f"/supervisions/{supervision.pk}/letters/{kind}/"))


# ---------------------------------------------------------------- numbers


def _attach(world: World, case: Case, pages: str) -> Any:
    upload = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    return _client(world.handler).post(f"/cases/{case.pk}/act/attach/", {"file": upload, "pages": pages})


def test_an_attachment_with_too_many_pages_answers_the_form_again(
    world: World, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    case = to_accepted(world)
    response = _attach(world, case, TOO_LARGE)
    assert response.status_code == 200
    assert response.context["form"].errors["pages"] == ["确保该值小于或等于100000。"]
    assert not case.attachments.exists()
    assert _attach(world, case, "100000").status_code == 302


@pytest.mark.parametrize(
    ("action", "field", "value", "message"),
    [
        ("attach", "pages", TOO_LARGE, "确保该值小于或等于100000。"),
        ("attach", "pages", "-1", "确保该值大于或等于0。"),
        ("request_extension", "days", TOO_LARGE, "确保该值小于或等于366。"),
        ("request_extension", "days", "0", "确保该值大于或等于1。"),
    ],
)
def test_an_integer_out_of_bounds_on_an_action_form_answers_the_form_with_a_chinese_error(
    world: World, settings: Any, tmp_path: Any, action: str, field: str, value: str, message: str
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    case = to_accepted(world)
    data: dict[str, Any] = {field: value, "approver": world.approver.pk, "reason": "需鉴定"}
    if action == "attach":
        data["file"] = SimpleUploadedFile("a.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    response = _client(world.handler).post(f"/cases/{case.pk}/act/{action}/", data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Case.objects.get(pk=case.pk).version == case.version


@pytest.mark.parametrize(
    ("value", "message"), [(TOO_LARGE, "确保该值小于或等于100000。"), ("0", "确保该值大于或等于1。")]
)
def test_a_headcount_out_of_bounds_answers_the_registration_form(
    world: World, value: str, message: str
) -> None:
    response = _client(world.registrar).post(
        "/cases/new/", _registration(world, {"name": "张三"}, headcount=value)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["headcount"] == [message]
    assert not Case.objects.exists()


def test_an_alert_review_for_an_organ_id_out_of_bounds_answers_the_form(world: World) -> None:
    alert = _alert(world)
    response = _client(world.registrar).post(
        f"/alerts/{alert.pk}/review/", {"org_id": TOO_LARGE, "note": "x"}
    )
    assert response.status_code == 200
    assert "请选择研判机构。" in response.content.decode()
    assert not alert.reviews.exists()
