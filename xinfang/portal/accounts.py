"""Citizen accounts (实名): a mobile number proved by an SMS code, then a name and an ID number.

Every write is here, called by the pages; each raises ServiceError naming the field. A citizen
account is `AccountKind.CITIZEN` (xinfang.orgs.services.citizen_user_create), which the organisation
services refuse any role (membership_validate), so it can never act as staff.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from xinfang.cases import pii
from xinfang.cases.hooks import CitizenIdentity
from xinfang.cases.services import PetitionerInput
from xinfang.cases.services.registration import id_number_problem
from xinfang.core import sms
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import local_date, now
from xinfang.orgs.models import User
from xinfang.orgs.services import citizen_user_create
from xinfang.portal import throttle
from xinfang.portal.models import CitizenProfile, SmsCode

__all__ = [
    "citizen_by_phone",
    "citizen_identity",
    "citizen_petitioner",
    "citizen_profile_record",
    "citizen_register",
    "citizen_verify",
    "code_check",
    "code_send",
    "is_verified",
    "password_reset",
    "phone_clean",
]

CODE_MINUTES = 10
CODE_ATTEMPTS = 5  # wrong entries before a code is void
PURPOSE_TEXT = {
    SmsCode.Purpose.REGISTER: "注册网上信访账号",
    SmsCode.Purpose.LOGIN: "登录网上信访",
    SmsCode.Purpose.RESET: "重设网上信访密码",
}


def phone_clean(phone: str) -> str:
    """A mainland mobile number (11 digits starting with 1), or ServiceError on field "phone"."""
    value = pii.normalise(phone).removeprefix("+86")
    if not (len(value) == 11 and value.isdigit() and value.startswith("1")):
        raise ServiceError("请填写 11 位手机号码。", field="phone")
    return value


def _code_hash(phone: str, purpose: str, code: str) -> str:
    return pii.keyed_hash(f"sms-code|{purpose}|{phone}|{code}")


def citizen_by_phone(phone: str) -> User | None:
    profile = CitizenProfile.objects.filter(phone_hash=pii.keyed_hash(phone)).select_related("user").first()
    return profile.user if profile else None


def code_send(*, phone: str, purpose: str, ip: str | None) -> None:
    """Send a new 6-digit code to `phone` for `purpose`; earlier codes for the same purpose lapse."""
    phone = phone_clean(phone)
    if purpose not in SmsCode.Purpose.values:
        raise ServiceError("验证码用途无效。", field="purpose")
    known = citizen_by_phone(phone) is not None
    if purpose == SmsCode.Purpose.REGISTER and known:
        raise ServiceError("该手机号码已注册，请直接登录；忘记密码可通过短信找回。", field="phone")
    throttle.check(
        "sms_phone_gap", f"{purpose}|{phone}", "验证码已发送，请 1 分钟后再重新获取。", field="phone"
    )
    throttle.check("sms_phone", phone, "该手机号码获取验证码过于频繁，请 {wait}后再试。", field="phone")
    if ip:
        throttle.check("sms_ip", ip, "当前网络获取验证码过于频繁，请 {wait}后再试。", field="phone")
    if purpose != SmsCode.Purpose.REGISTER and not known:
        # Say nothing about whether the number has an account: no message is sent, and the page
        # answers as if it had been.
        return
    code = f"{secrets.randbelow(10**6):06d}"
    moment = now()
    phone_hash = pii.keyed_hash(phone)
    with transaction.atomic():
        SmsCode.objects.filter(phone_hash=phone_hash, purpose=purpose, used_at__isnull=True).update(
            used_at=moment
        )
        SmsCode.objects.create(
            phone_hash=phone_hash,
            purpose=purpose,
            code_hash=_code_hash(phone, purpose, code),
            created_at=moment,
            expires_at=moment + dt.timedelta(minutes=CODE_MINUTES),
        )
    text = f"您正在{PURPOSE_TEXT[purpose]}，验证码 {code}，{CODE_MINUTES} 分钟内有效。如非本人操作，请忽略本短信。"
    sms.send_sms(phone, sms.signed(text))


def code_check(*, phone: str, purpose: str, code: str) -> None:
    """Use the code sent to `phone` for `purpose`: once, before it expires, within CODE_ATTEMPTS."""
    phone = phone_clean(phone)
    code = pii.normalise(code)
    if not (len(code) == 6 and code.isdigit()):
        raise ServiceError("请填写短信中的 6 位验证码。", field="code")
    with transaction.atomic():
        sent = (
            SmsCode.objects.select_for_update()
            .filter(phone_hash=pii.keyed_hash(phone), purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if sent is None or sent.expires_at <= now() or sent.attempts >= CODE_ATTEMPTS:
            raise ServiceError("验证码已失效，请重新获取。", field="code")
        if not hmac.compare_digest(sent.code_hash, _code_hash(phone, purpose, code)):
            sent.attempts += 1
            sent.save(update_fields=["attempts"])
            left = CODE_ATTEMPTS - sent.attempts
            message = f"验证码不正确，还可尝试 {left} 次。" if left else "验证码错误次数过多，请重新获取。"
            # The count must survive the refusal: raised after the transaction commits.
            error = ServiceError(message, field="code")
        else:
            sent.used_at = now()
            sent.save(update_fields=["used_at"])
            return
    raise error


def _check_password(password: str, *, phone: str, full_name: str) -> None:
    if not password:
        raise ServiceError("请设置密码。", field="password")
    try:
        validate_password(password, User(username=phone, full_name=full_name))
    except ValidationError as exc:
        raise ServiceError("密码不符合要求：" + "；".join(exc.messages), field="password") from None


def _identity(*, phone: str, full_name: str, id_number: str) -> tuple[str, str, str]:
    """The cleaned (phone, name, ID number) of a new 实名 identity, each checked and unused."""
    phone = phone_clean(phone)
    full_name = (full_name or "").strip()
    if not full_name:
        raise ServiceError("请填写真实姓名。", field="full_name")
    if len(full_name) > 64:
        raise ServiceError("姓名不能超过 64 个字。", field="full_name")
    id_number = pii.normalise(id_number)
    if not id_number:
        raise ServiceError("请填写身份证号码。", field="id_number")
    if problem := id_number_problem(id_number, local_date()):
        raise ServiceError(problem, field="id_number")
    if citizen_by_phone(phone) is not None:
        raise ServiceError("该手机号码已注册，请直接登录。", field="phone")
    return phone, full_name, id_number


def _refuse_taken_id_number(id_number: str) -> None:
    # Asked only after the code was right: whether an ID number has an account is said to the owner
    # of a verified phone, once per code, not to anyone typing numbers.
    if CitizenProfile.objects.filter(id_number_hash=pii.keyed_hash(id_number)).exists():
        raise ServiceError("该身份证号码已注册账号，请用注册时的手机号码登录或找回密码。", field="id_number")


def _profile(user: User, phone: str, id_number: str) -> CitizenProfile:
    return CitizenProfile.objects.create(
        user=user,
        phone_enc=pii.encrypt(phone),
        phone_hash=pii.keyed_hash(phone),
        id_number_enc=pii.encrypt(id_number),
        id_number_hash=pii.keyed_hash(id_number),
        verified_at=now(),
    )


def citizen_register(*, phone: str, code: str, full_name: str, id_number: str, password: str) -> User:
    """实名注册: the code proves the phone; the ID number must pass GB 11643's checks and be unused."""
    phone, full_name, id_number = _identity(phone=phone, full_name=full_name, id_number=id_number)
    _check_password(password, phone=phone, full_name=full_name)
    # Outside the account's transaction: a wrong code's count must survive the refusal.
    code_check(phone=phone, purpose=SmsCode.Purpose.REGISTER, code=code)
    _refuse_taken_id_number(id_number)
    try:
        with transaction.atomic():
            user = citizen_user_create(
                username=f"m{secrets.token_hex(8)}", full_name=full_name, password=password
            )
            _profile(user, phone, id_number)
    except IntegrityError:
        raise ServiceError("该手机号码或身份证号码已注册。", field="phone") from None
    return user


def citizen_verify(*, user: User, phone: str, code: str, id_number: str) -> CitizenProfile:
    """实名认证 of an existing citizen account (one opened in the back office, or the demo's): the
    same proof as a registration, for the name the account already has."""
    if not user.is_citizen:
        raise ServiceError("只有群众账号可以实名认证。", field=None)
    if CitizenProfile.objects.filter(user=user).exists():
        raise ServiceError("您的账号已完成实名认证。", field=None)
    phone, _, id_number = _identity(phone=phone, full_name=user.full_name, id_number=id_number)
    code_check(phone=phone, purpose=SmsCode.Purpose.REGISTER, code=code)
    _refuse_taken_id_number(id_number)
    try:
        with transaction.atomic():
            return _profile(user, phone, id_number)
    except IntegrityError:
        raise ServiceError("该手机号码或身份证号码已注册。", field="phone") from None


def citizen_profile_record(*, user: User, phone: str, id_number: str) -> CitizenProfile:
    """The 实名 identity of an account whose phone the operator vouches for without an SMS code: the
    demo's citizen (xinfang.demo). The same checks as a registration otherwise (a citizen account, a
    mobile number and an ID number that are valid and unused); an account that has one keeps it."""
    if not user.is_citizen:
        raise ServiceError("只有群众账号可以实名认证。", field=None)
    existing = CitizenProfile.objects.filter(user=user).first()
    if existing is not None:
        return existing
    phone, _, id_number = _identity(phone=phone, full_name=user.full_name, id_number=id_number)
    _refuse_taken_id_number(id_number)
    return _profile(user, phone, id_number)


def citizen_identity(user: User) -> CitizenIdentity | None:
    """What the account has proved (its SMS-confirmed mobile number and its verified name), for the
    access policy: None for an account without 实名. Connected to `hooks.citizen_identity`."""
    if not user.is_authenticated or not user.is_citizen:
        return None
    phone_hash = CitizenProfile.objects.filter(user=user).values_list("phone_hash", flat=True).first()
    if phone_hash is None:
        return None
    return CitizenIdentity(phone_hash=phone_hash, name_key=pii.name_key(user.full_name))


def is_verified(user: User) -> bool:
    return CitizenProfile.objects.filter(user=user).exists()


def password_reset(*, phone: str, code: str, password: str) -> User:
    phone = phone_clean(phone)
    user = citizen_by_phone(phone)
    if user is None:
        raise ServiceError("验证码已失效，请重新获取。", field="code")
    _check_password(password, phone=phone, full_name=user.full_name)
    code_check(phone=phone, purpose=SmsCode.Purpose.RESET, code=code)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def citizen_petitioner(user: User, *, address: str = "") -> PetitionerInput:
    """The account holder as the first petitioner of their submission (verified name and numbers)."""
    profile = CitizenProfile.objects.filter(user=user).first()
    if profile is None:
        raise ServiceError("请先完成实名认证。", field=None)
    return PetitionerInput(
        name=user.full_name,
        id_number=pii.decrypt(profile.id_number_enc),
        phone=pii.decrypt(profile.phone_enc),
        address=address,
    )
