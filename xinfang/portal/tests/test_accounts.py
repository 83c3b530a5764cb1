"""实名 accounts: SMS codes, registration, password reset, and that a citizen never holds a role."""

from __future__ import annotations

from typing import Any

import pytest

from xinfang.cases import pii
from xinfang.core import sms
from xinfang.core.errors import ServiceError
from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant
from xinfang.portal import accounts
from xinfang.portal.models import CitizenProfile, SmsCode
from xinfang.portal.tests.helpers import ID_NUMBER, OTHER_ID, PASSWORD, citizen, last_code

pytestmark = pytest.mark.django_db


def test_registration_sends_a_six_digit_code_and_keeps_only_its_hash(world: Any) -> None:
    accounts.code_send(phone="13800138000", purpose="register", ip="10.0.0.1")
    assert [m.phone for m in sms.outbox] == ["13800138000"]
    code = last_code("13800138000")
    assert len(code) == 6
    assert sms.outbox[0].text.startswith("【")  # signed
    row = SmsCode.objects.get()
    assert code not in row.code_hash and row.expires_at > row.created_at


def test_a_registered_citizen_has_encrypted_numbers_with_keyed_hashes(world: Any) -> None:
    user = citizen()
    profile = CitizenProfile.objects.get(user=user)
    assert user.is_citizen and user.full_name == "张三"
    assert "13800138000" not in profile.phone_enc and ID_NUMBER not in profile.id_number_enc
    assert profile.id_number_hash == pii.keyed_hash(ID_NUMBER)
    assert pii.decrypt(profile.phone_enc) == "13800138000"
    assert user.phone == ""  # never in clear on the account
    assert user.check_password(PASSWORD)


def test_a_wrong_code_is_refused_and_counts_and_five_void_it(world: Any) -> None:
    accounts.code_send(phone="13800138000", purpose="register", ip="10.0.0.1")
    code = last_code("13800138000")
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(ServiceError, match=f"还可尝试 {left} 次") as exc:
            accounts.citizen_register(
                phone="13800138000", code=wrong, full_name="张三", id_number=ID_NUMBER, password=PASSWORD
            )
        assert exc.value.field == "code"
    with pytest.raises(ServiceError, match="错误次数过多"):
        accounts.code_check(phone="13800138000", purpose="register", code=wrong)
    with pytest.raises(ServiceError, match="已失效"):
        accounts.code_check(phone="13800138000", purpose="register", code=code)


def test_a_code_expires_after_ten_minutes(world: Any, freeze: Any) -> None:
    freeze("2026-03-02 09:00")
    accounts.code_send(phone="13800138000", purpose="register", ip="10.0.0.1")
    code = last_code("13800138000")
    freeze("2026-03-02 09:11")
    with pytest.raises(ServiceError, match="已失效"):
        accounts.code_check(phone="13800138000", purpose="register", code=code)


def test_a_code_is_used_once(world: Any) -> None:
    accounts.code_send(phone="13800138000", purpose="register", ip="10.0.0.1")
    code = last_code("13800138000")
    accounts.code_check(phone="13800138000", purpose="register", code=code)
    with pytest.raises(ServiceError, match="已失效"):
        accounts.code_check(phone="13800138000", purpose="register", code=code)


def test_the_id_number_checksum_is_validated(world: Any) -> None:
    accounts.code_send(phone="13800138000", purpose="register", ip="10.0.0.1")
    with pytest.raises(ServiceError, match="校验位") as exc:
        accounts.citizen_register(
            phone="13800138000",
            code=last_code("13800138000"),
            full_name="张三",
            id_number="110105194912310021",
            password=PASSWORD,
        )
    assert exc.value.field == "id_number"
    assert not CitizenProfile.objects.exists()


def test_one_id_number_and_one_phone_make_one_account(world: Any, settings: Any) -> None:
    citizen()
    with pytest.raises(ServiceError, match="已注册") as exc:
        accounts.code_send(phone="13800138000", purpose="register", ip="10.0.0.1")
    assert exc.value.field == "phone"
    settings.XINFANG_PORTAL_LIMITS = {"sms_phone_gap": (5, 60)}
    accounts.code_send(phone="13900139000", purpose="register", ip="10.0.0.1")
    taken = {"phone": "13900139000", "full_name": "李四", "id_number": ID_NUMBER, "password": PASSWORD}
    # Whether an ID number has an account is not said to a wrong code.
    with pytest.raises(ServiceError, match="验证码不正确"):
        accounts.citizen_register(
            code="000000" if last_code("13900139000") != "000000" else "111111", **taken
        )
    with pytest.raises(ServiceError, match="身份证号码已注册"):
        accounts.citizen_register(code=last_code("13900139000"), **taken)
    accounts.code_send(phone="13900139000", purpose="register", ip="10.0.0.1")  # that code was spent
    accounts.citizen_register(code=last_code("13900139000"), **{**taken, "id_number": OTHER_ID})
    assert CitizenProfile.objects.count() == 2


def test_a_mobile_number_must_be_eleven_digits(world: Any) -> None:
    with pytest.raises(ServiceError, match="11 位手机号码") as exc:
        accounts.code_send(phone="12345", purpose="register", ip="10.0.0.1")
    assert exc.value.field == "phone"
    assert sms.outbox == []


def test_sms_sending_is_limited_per_number_and_per_address(world: Any, settings: Any) -> None:
    accounts.code_send(phone="13800138000", purpose="register", ip="10.0.0.1")
    with pytest.raises(ServiceError, match="1 分钟后") as exc:
        accounts.code_send(phone="13800138000", purpose="register", ip="10.0.0.2")
    assert exc.value.code == "throttled"
    settings.XINFANG_PORTAL_LIMITS = {"sms_phone_gap": (100, 60), "sms_ip": (3, 3600), "sms_phone": (3, 3600)}
    accounts.code_send(phone="13800138001", purpose="register", ip="10.0.0.9")
    accounts.code_send(phone="13800138002", purpose="register", ip="10.0.0.9")
    accounts.code_send(phone="13800138003", purpose="register", ip="10.0.0.9")
    with pytest.raises(ServiceError, match="当前网络获取验证码过于频繁"):
        accounts.code_send(phone="13800138004", purpose="register", ip="10.0.0.9")
    for _ in range(2):  # the first send counted, the refused one did not
        accounts.code_send(phone="13800138000", purpose="register", ip=None)
    with pytest.raises(ServiceError, match="该手机号码获取验证码过于频繁"):
        accounts.code_send(phone="13800138000", purpose="register", ip=None)


def test_a_login_or_reset_code_for_an_unknown_number_sends_nothing_and_says_nothing(world: Any) -> None:
    accounts.code_send(phone="13700137000", purpose="login", ip="10.0.0.1")
    accounts.code_send(phone="13700137001", purpose="reset", ip="10.0.0.1")
    assert sms.outbox == []


def test_a_password_is_reset_by_sms(world: Any) -> None:
    user = citizen()
    accounts.code_send(phone="13800138000", purpose="reset", ip="10.0.0.1")
    accounts.password_reset(phone="13800138000", code=last_code("13800138000"), password="Another-2026x")
    user.refresh_from_db()
    assert user.check_password("Another-2026x")


def test_a_register_code_does_not_reset_a_password(world: Any) -> None:
    citizen()
    accounts.code_send(phone="13900139000", purpose="register", ip="10.0.0.1")
    with pytest.raises(ServiceError, match="已失效"):
        accounts.password_reset(phone="13800138000", code=last_code("13900139000"), password="Another-2026x")


def test_a_citizen_account_can_never_hold_a_staff_role(world: Any) -> None:
    user = citizen()
    for role in (Role.REGISTRAR, Role.HANDLER, Role.ADMIN):
        with pytest.raises(ServiceError, match="群众账号不能担任机构岗位"):
            membership_grant(user=user, org=world.city_bureau, role=role)
    assert not user.memberships.exists()
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser


def test_the_back_office_shows_the_numbers_masked(world: Any, django_user_model: Any) -> None:
    from django.test import Client

    citizen()
    root = django_user_model.objects.create_superuser(username="root", password="Root-Pass-2026-x")
    client = Client()
    client.force_login(root)
    page = client.get("/admin/portal/citizenprofile/").text
    assert "张三" in page and "13800138000" not in page
    profile = CitizenProfile.objects.get()
    detail = client.get(f"/admin/portal/citizenprofile/{profile.pk}/change/").text
    assert ID_NUMBER not in detail and "13800138000" not in detail
