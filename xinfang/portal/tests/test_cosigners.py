"""联名: a co-signer named with their mobile number sees the matter from their own verified account,
read-only, through the one access policy; nobody else does."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xinfang.cases import services
from xinfang.cases.models import Case
from xinfang.cases.selectors import cases_visible_to, sees_case
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import a_reply, register, reply_approved
from xinfang.core.errors import ServiceError
from xinfang.orgs.models import User
from xinfang.orgs.services import citizen_user_create
from xinfang.portal.tests.helpers import OTHER_ID, citizen
from xinfang.portal.tests.test_pages import _form
from xinfang.portal.tests.test_submissions import submit

pytestmark = pytest.mark.django_db

THIRD_ID = "110105197001010011"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cosigned(world: Any) -> tuple[User, User, Case]:
    """张三 submits with 李四 (named with his number) as a co-signer; 李四 has a verified account."""
    owner = citizen()
    cosigner = citizen(phone="13900139000", name="李四", id_number=OTHER_ID)
    case, _ = submit(
        world,
        owner,
        cosigners=[PetitionerInput(name="李四", phone="13900139000"), PetitionerInput(name="王五")],
    )
    return owner, cosigner, case


def test_a_verified_cosigner_sees_the_matter_in_my_cases_marked_as_cosigned(world: Any) -> None:
    owner, cosigner, case = cosigned(world)
    assert list(cases_visible_to(cosigner)) == [case]
    assert Case.objects.filter(sees_case(cosigner)).get() == case
    client = signed_in(cosigner)
    listed = client.get("/portal/cases/")
    assert case.subject in listed.text and "联名" in listed.text
    page = client.get(f"/portal/cases/{case.pk}/")
    assert page.status_code == 200 and "您是本事项的联名信访人" in page.text
    # The submitter's own list does not call their own matter co-signed.
    assert '<span class="status">联名</span>' not in signed_in(owner).get("/portal/cases/").text


def test_a_cosigner_downloads_the_letters_but_rates_appeals_and_adds_nothing(world: Any) -> None:
    _, cosigner, case = cosigned(world)
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    case = services.case_accept(actor=world.handler, case=case)
    case = reply_approved(actor=world.handler, case=case, reply=a_reply())
    case = services.case_deliver(actor=world.handler, case=case, method="online")
    client = signed_in(cosigner)
    page = client.get(f"/portal/cases/{case.pk}/")
    assert "信访处理意见书" in page.text and "提交评价" not in page.text
    for path in ("rate/", "appeal/", "supplement/"):
        assert f"/portal/cases/{case.pk}/{path}" not in page.text, path
    for kind in ("acceptance_notice", "reply_opinion"):
        base = f"/portal/cases/{case.pk}/documents/{kind}/"
        assert client.get(base).content[:2] == b"PK"
        assert client.get(f"{base}?format=pdf").content.startswith(b"%PDF-")
    for path in ("supplement/", "appeal/", "submitted/"):
        assert client.get(f"/portal/cases/{case.pk}/{path}").status_code == 404, path
    rated = client.post(f"/portal/cases/{case.pk}/rate/", {"track_key": "unit", "unit-value": "satisfied"})
    assert rated.status_code == 404 and not case.ratings.exists()
    with pytest.raises(ServiceError):
        services.case_rate(actor=cosigner, case=case, track="unit", value="satisfied", reason="")


def test_a_stranger_not_on_the_case_gets_a_404(world: Any) -> None:
    _, _, case = cosigned(world)
    stranger = citizen(phone="13700137000", name="赵六", id_number=THIRD_ID)
    client = signed_in(stranger)
    assert case.subject not in client.get("/portal/cases/").text
    assert client.get(f"/portal/cases/{case.pk}/").status_code == 404
    assert client.get(f"/portal/cases/{case.pk}/documents/acceptance_notice/?format=pdf").status_code == 404
    assert not cases_visible_to(stranger).exists()


def test_the_same_name_with_another_number_or_the_number_with_another_name_sees_nothing(world: Any) -> None:
    _, cosigner, case = cosigned(world)
    # 王五 is named without a number: his account (with any number) does not match.
    wang = citizen(phone="13700137000", name="王五", id_number=THIRD_ID)
    assert not cases_visible_to(wang).filter(pk=case.pk).exists()
    # The number given for 李四, held by someone of another name (a recycled number), does not match.
    cosigner.full_name = "孙七"
    cosigner.save(update_fields=["full_name"])
    assert not cases_visible_to(cosigner).filter(pk=case.pk).exists()


def test_an_account_without_verified_identity_sees_only_its_own(world: Any) -> None:
    _, _, case = cosigned(world)
    unverified = citizen_user_create(username="lisi2", full_name="李四", password="Xinfang-2026")
    assert not cases_visible_to(unverified).exists()
    assert signed_in(unverified).get(f"/portal/cases/{case.pk}/").status_code == 404


def test_a_member_of_a_group_registered_by_staff_sees_it_once_verified(world: Any) -> None:
    case = register(
        world,
        petitioners=[PetitionerInput(name="李四", phone="13900139000", address="青山县城关镇")],
    )
    cosigner = citizen(phone="13900139000", name="李四", id_number=OTHER_ID)
    assert list(cases_visible_to(cosigner)) == [case]


def test_a_cosigners_number_must_be_a_mobile_number_and_needs_a_name(world: Any) -> None:
    owner = citizen()
    with pytest.raises(ServiceError, match="不是 11 位手机号码") as bad:
        submit(world, owner, cosigners=[PetitionerInput(name="李四", phone="1390013")])
    assert bad.value.field == "cosigner_names"
    with pytest.raises(ServiceError, match="请填写姓名"):
        submit(world, owner, token="t-2", cosigners=[PetitionerInput(name="", phone="13900139000")])
    assert not Case.objects.exists()


def test_the_form_takes_one_cosigner_a_line_with_an_optional_number(world: Any) -> None:
    owner = citizen()
    client = signed_in(owner)
    page = client.get("/portal/submit/")
    token = page.context["form"].initial["token"]
    done = client.post(
        "/portal/submit/",
        _form(world, token=token, cosigner_names="李四 139-0013-9000\n王五\n", confirm_new="on"),
    )
    assert done.status_code == 302
    case = Case.objects.get()
    assert [(p.name, p.phone) for p in case.petitioners.all()] == [
        ("张三", "13800138000"),
        ("李四", "13900139000"),
        ("王五", ""),
    ]
    refused = client.post(
        "/portal/submit/", _form(world, token="another", cosigner_names="赵六 12345", confirm_new="on")
    )
    assert "联名人“赵六”的手机号码“12345”不是 11 位手机号码" in refused.text
    assert 'id="id_cosigner_names-error"' in refused.text  # next to the field, announced
    assert "赵六 12345" in refused.text and Case.objects.count() == 1  # what was typed is kept
