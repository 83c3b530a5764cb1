"""登记: registering a petition matter, once, with its petitioners (第十九、二十条、第二十二条)."""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from xinfang.cases import pii
from xinfang.cases.hooks import on_case_registered
from xinfang.cases.models import (
    Case,
    CaseEvent,
    CaseUnit,
    Channel,
    ContentCategory,
    IdempotencyKey,
    Nature,
    Petitioner,
    Status,
)
from xinfang.cases.services._core import append_event, project, require_role
from xinfang.cases.services.routing import check_forward_at_registration, forward_at_registration
from xinfang.cases.vocabulary import Action, EventKind
from xinfang.core.errors import NotAllowed, ServiceError, ServiceErrors
from xinfang.core.text import clean_text
from xinfang.core.timeutil import local_date, now
from xinfang.core.validation import (
    MAX_CONTENT,
    MAX_HEADCOUNT,
    MAX_PERSON_NAME,
    MAX_SUBJECT,
    optional_text,
    required_text,
)
from xinfang.orgs.models import Level, Org, Region, Role, User

# What the package xinfang.cases.services re-exports.
__all__ = [
    "PetitionerInput",
    "Registration",
    "case_register",
    "case_register_detailed",
    "case_register_idempotent",
    "case_submit_online",
]

_QUERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone
QUERY_CODE_LENGTH = 10  # 50 random bits: 32 symbols of 5 bits each
# Base32 of random bytes is a stream of uniform 5-bit symbols; spelled in the query alphabet.
_FROM_BASE32 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _QUERY_ALPHABET)
_PHONE = re.compile(r"^\+?[0-9]{7,15}$")
REGISTER_ROLES = (Role.REGISTRAR, Role.BUREAU_HEAD, Role.HANDLER)
MAX_ADDRESS = 200  # Petitioner.address
MAX_ACCUSED_PERSON = 100  # 被反映人: names and posts of a few people
MAX_ID = 2**63 - 1  # larger numbers cannot be a row and must not reach the database driver


@dataclass(frozen=True)
class PetitionerInput:
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    is_representative: bool = False


def _without_control_characters(person: PetitionerInput) -> PetitionerInput:
    # Only normalised, not stripped: the keyed hashes 查重 matches on are of the text as given.
    return replace(
        person,
        name=clean_text(person.name or ""),
        id_number=clean_text(person.id_number or ""),
        phone=clean_text(person.phone or ""),
        address=clean_text(person.address or ""),
    )


def id_number_problem(number: str, today: dt.date) -> str | None:
    """Why an ID number is invalid (GB 11643: format, check digit, birth date), or None."""
    if problem := pii.id_number_problem(number):
        return problem
    digits = pii.normalise(number)[6:14]
    try:
        born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return f"身份证号码中的出生日期“{digits}”不是有效日期，请核对。"
    if born > today:
        return f"身份证号码中的出生日期 {born:%Y-%m-%d} 晚于今天，请核对。"
    if born.year < 1900:
        return f"身份证号码中的出生日期 {born:%Y-%m-%d} 早于 1900 年，请核对。"
    return None


def phone_problem(phone: str) -> str | None:
    return None if _PHONE.match(pii.normalise(phone)) else "联系电话应为 7 至 15 位数字。"


def person_problems(person: Any, today: dt.date, *, where: str, label: str = "信访人") -> list[ServiceError]:
    """Every fault of one person's row (name, ID number, phone, address), each on its field under
    ``where`` (``petitioners[0]``): the registration's rule, also that of the hall's 诉求单."""
    problems: list[ServiceError] = []
    try:
        required_text(person.name, field=f"{where}.name", label=f"{label}姓名", max_length=MAX_PERSON_NAME)
    except ServiceError as exc:
        problems.append(exc)
    if person.id_number and (problem := id_number_problem(person.id_number, today)):
        problems.append(ServiceError(problem, field=f"{where}.id_number"))
    if person.phone and (problem := phone_problem(person.phone)):
        problems.append(ServiceError(problem, field=f"{where}.phone"))
    if len(person.address) > MAX_ADDRESS:
        problems.append(ServiceError(f"住址不能超过 {MAX_ADDRESS} 个字。", field=f"{where}.address"))
    return problems


def _check_petitioners(petitioners: list[PetitionerInput], *, nature: str, headcount: int) -> None:
    if not petitioners and nature != Nature.ACCUSATION:
        raise ServiceError("请至少登记一名信访人（只有检举控告可以匿名）。", field="petitioners")
    if len(petitioners) > headcount:
        raise ServiceError(
            f"登记了 {len(petitioners)} 名信访人，多于信访人数 {headcount}。", field="headcount"
        )
    limit = settings.XINFANG_MAX_REPRESENTATIVES
    representatives = sum(1 for p in petitioners if p.is_representative)
    if representatives > limit:
        # 第二十条: a group visit elects at most five representatives.
        raise ServiceError(
            f"多人走访应推选代表，代表人数不得超过 {limit} 人（现为 {representatives} 人）。",
            field="petitioners",
        )
    # Every row's faults at once: a clerk with ten people at the window corrects them in one go.
    today = local_date()
    problems = [
        exc
        for index, person in enumerate(petitioners)
        for exc in person_problems(person, today, where=f"petitioners[{index}]")
    ]
    if problems:
        raise ServiceErrors(problems)


def _check_received_on(received_on: dt.date, today: dt.date) -> None:
    if received_on > today:
        raise ServiceError("信访日期不能晚于今天。", field="received_on")
    start = settings.XINFANG_HISTORY_START
    if received_on < start:
        # Before the installation's records begin: a typing slip (1926 for 2026), not a matter.
        raise ServiceError(
            f"信访日期不能早于本系统记录的起始日期 {start:%Y-%m-%d}（XINFANG_HISTORY_START）。",
            field="received_on",
        )


def random_query_codes(count: int) -> list[str]:
    """`count` random 查询码 (not checked against those taken), from the system's secure source."""
    size = 5 * -(-count * QUERY_CODE_LENGTH // 8)  # whole 5-byte groups: base32 without padding
    symbols = base64.b32encode(secrets.token_bytes(size)).decode("ascii").translate(_FROM_BASE32)
    return [
        symbols[i : i + QUERY_CODE_LENGTH] for i in range(0, count * QUERY_CODE_LENGTH, QUERY_CODE_LENGTH)
    ]


def _new_query_code() -> str:
    while True:
        code = random_query_codes(1)[0]
        if not Case.objects.filter(query_code=code).exists():
            return code


def _petitioner_row(case: Case, person: PetitionerInput) -> Petitioner:
    return Petitioner(
        case=case,
        name_enc=pii.encrypt(person.name.strip()),
        id_number_enc=pii.encrypt(pii.normalise(person.id_number)),
        phone_enc=pii.encrypt(pii.normalise(person.phone)),
        name_hash=pii.keyed_hash(person.name + "|" + person.address),
        id_number_hash=pii.keyed_hash(person.id_number),
        phone_hash=pii.keyed_hash(person.phone),
        name_key=pii.name_key(person.name),
        address=person.address.strip(),
        is_representative=person.is_representative,
    )


@dataclass(frozen=True)
class Registration:
    """What one registration wrote: the case and the rows created with it, as they were saved."""

    case: Case
    petitioners: list[Petitioner]
    units: list[CaseUnit]
    events: list[CaseEvent]


def case_register(**kwargs: Any) -> Case:
    """Register a matter (the arguments of `case_register_detailed`); returns the new case."""
    return case_register_detailed(**kwargs).case


@transaction.atomic
def case_register_detailed(
    *,
    actor: User,
    org: Org,
    channel: str,
    nature: str,
    category: ContentCategory,
    subject: str,
    content: str,
    problem_region: Region,
    petitioners: list[PetitionerInput],
    received_on: dt.date | None = None,
    headcount: int = 1,
    via_proper_ladder: bool = True,
    accused_person: str = "",
    accused_org: Org | None = None,
    citizen: User | None = None,
    suggestion: dict[str, object] | None = None,
    forward_to: Org | None = None,
    idempotency_key: str | None = None,
    outside_level: str = "",
) -> Registration:
    """Register a matter at `org`; its first event starts the 15-day routing clock (第二十二条).

    `suggestion`: what the text analysis suggested to the clerk (`{"suggested_category": ...,
    "confidence": ..., "suggested_unit": <org id>, "suggested_unit_count": ..., "suggested_unit_total":
    ...}`, any part may be missing), recorded beside the category actually chosen; the routing that
    follows is the choice of unit. Unknown keys and bad values are dropped: never personal data.

    `forward_to`: required for, and only for, an accusation against `org` itself: the matter is
    forwarded there in the same transaction (routing.check_forward_at_registration), and `org` no
    longer sees it (第三十条).

    `idempotency_key`: written with the case, in its transaction (see `case_register_idempotent`).

    `outside_level`: for a matter registered by an organ outside this installation and received
    through another system's exchange (the historic import): that organ's level (`Case.outside_level`).
    """
    if not _online_by_citizen(actor, channel, citizen):
        require_role(actor, org, REGISTER_ROLES, Action.REGISTER)
    if channel not in Channel.values:
        raise ServiceError(f"信访形式“{channel}”无效，可选：{'、'.join(Channel.labels)}。", field="channel")
    if nature not in Nature.values:
        raise ServiceError(f"信访性质“{nature}”无效，可选：{'、'.join(Nature.labels)}。", field="nature")
    if not category.is_active:
        raise ServiceError(f"内容分类“{category.name}”已停用。", field="category")
    subject = required_text(subject, field="subject", label="标题", max_length=MAX_SUBJECT)
    content = required_text(content, field="content", label="主要内容", max_length=MAX_CONTENT)
    if not 1 <= headcount <= MAX_HEADCOUNT:
        raise ServiceError(f"信访人数应为 1 至 {MAX_HEADCOUNT} 之间的整数。", field="headcount")
    if outside_level and outside_level not in Level.values:
        raise ServiceError(f"来源登记机构级别“{outside_level}”无效。", field="outside_level")
    today = local_date()
    received_on = received_on or today
    _check_received_on(received_on, today)
    if len(optional_text(accused_person)) > MAX_ACCUSED_PERSON:
        raise ServiceError(f"被反映人不能超过 {MAX_ACCUSED_PERSON} 个字。", field="accused_person")
    if accused_org is not None and nature != Nature.ACCUSATION:
        raise ServiceError("只有检举控告类事项可以填写被反映单位。", field="accused_org")
    if citizen is not None and not citizen.is_citizen:
        raise ServiceError("关联的群众账号无效。", field="citizen")
    petitioners = [_without_control_characters(person) for person in petitioners]
    _check_petitioners(petitioners, nature=nature, headcount=headcount)
    check_forward_at_registration(org=org, nature=nature, accused_org=accused_org, forward_to=forward_to)

    moment = now()
    case = Case.objects.create(
        number=f"TMP{secrets.token_hex(8)}",
        query_code=_new_query_code(),
        channel=channel,
        nature=nature,
        category=category,
        subject=subject,
        content=content,
        problem_region=problem_region,
        received_on=received_on,
        registered_at=moment,
        registered_by=actor,
        registered_org=org,
        registered_level=org.level,
        outside_level=outside_level,
        headcount=headcount,
        via_proper_ladder=via_proper_ladder,
        accused_person=optional_text(accused_person),
        accused_org=accused_org,
        citizen=citizen,
        status=Status.REGISTERED,
        current_org=org,
        updated_at=moment,
    )
    # 信访件编号: region of the registering organ, Beijing date, then a serial that is unique. It
    # needs the row's id, and is saved with the projection below (one UPDATE, not two).
    case.number = f"{org.region.code[:6]}{local_date(moment):%Y%m%d}{case.pk:08d}"
    units = [CaseUnit.objects.create(case=case, org=org, role=CaseUnit.Role.LEAD, since=moment)]
    people = Petitioner.objects.bulk_create([_petitioner_row(case, person) for person in petitioners])
    # No personal data in the append-only log: it could never be erased from there.
    event = append_event(
        case,
        first=True,
        kind=EventKind.REGISTERED,
        actor=actor,
        org=org,
        payload={
            "channel": channel,
            "nature": nature,
            "category": category.code,
            "headcount": headcount,
            "petitioners": len(petitioners),
            "received_on": received_on.isoformat(),
            **({"online": True} if actor.is_citizen else {}),
            **({"suggestion": recorded} if (recorded := _suggestion_payload(suggestion)) else {}),
        },
    )
    project(case, fields=["number"], events=[event], unit_org_ids=[unit.org_id for unit in units])
    if forward_to is not None:
        case = forward_at_registration(case, actor=actor, to_org=forward_to)
    # In the transaction: what subscribers write (the duplicate index) is committed with the case,
    # so 查重 finds it at once and a crash cannot leave a registered case unindexed.
    on_case_registered.send(case)
    if idempotency_key is not None:
        IdempotencyKey.objects.create(user=actor, key=idempotency_key, case=case, created_at=moment)
    return Registration(case=case, petitioners=people, units=units, events=[event])


def _count(value: object) -> int | None:
    """A plain non-negative int that fits a database id (no bools, no floats)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID:
        return value
    return None


def _suggestion_payload(suggestion: dict[str, object] | None) -> dict[str, object]:
    """Only the known, non-personal keys of a suggestion, with plain values.

    The category part is kept when there is a label or a confidence (no label with a confidence:
    the model was not sure, 需人工判断); the unit part when `suggested_unit` is the id of an existing
    organ, recorded with the organ's name at this time and, given the counts, the basis of the hint.
    """
    if not suggestion:
        return {}
    out: dict[str, object] = {}
    label = suggestion.get("suggested_category")
    label = label.replace("\x00", "").strip()[:64] if isinstance(label, str) else None
    confidence = suggestion.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        confidence = None  # NaN fails the comparison too
    if label or confidence is not None:
        out["suggested_category"] = label or None
        if confidence is not None:
            out["confidence"] = round(float(confidence), 4)
    unit_id = _count(suggestion.get("suggested_unit"))
    unit_name = Org.objects.filter(pk=unit_id).values_list("name", flat=True).first() if unit_id else None
    if unit_id and unit_name is not None:
        out["suggested_unit"] = unit_id
        out["suggested_unit_name"] = unit_name
        count = _count(suggestion.get("suggested_unit_count"))
        total = _count(suggestion.get("suggested_unit_total"))
        if count and total and count <= total:
            out["suggested_unit_basis"] = f"过去同类 {total} 件中 {count} 件"
    return out


def case_register_idempotent(*, key: str, actor: User, **kwargs: object) -> tuple[Case, Registration | None]:
    """Register once per (actor, key): a retried submission returns the original case.

    Returns (case, registration): the registration made now, or None when the key was used before
    (the case is then the original one). The key row is written in the same transaction as the
    case, so a crash between them cannot leave a key without its case or a case registered twice.
    """
    key = (key or "").strip()
    if not key or len(key) > 128:
        raise ServiceError("Idempotency-Key 应为 1 至 128 个字符。", field="Idempotency-Key")
    existing = IdempotencyKey.objects.filter(user=actor, key=key).select_related("case").first()
    if existing:
        return existing.case, None
    try:
        registration = case_register_detailed(actor=actor, idempotency_key=key, **kwargs)  # type: ignore[arg-type]
    except IntegrityError:
        # A concurrent retry with the same key won the race; its case is the one.
        winner = IdempotencyKey.objects.filter(user=actor, key=key).select_related("case").first()
        if winner is None:
            raise
        return winner.case, None
    return registration.case, registration


# Set only while case_submit_online runs: the one way a citizen is the registering actor.
_ONLINE_SUBMISSION: ContextVar[bool] = ContextVar("online_submission", default=False)


def _online_by_citizen(actor: User, channel: str, citizen: User | None) -> bool:
    """A citizen registers nothing themself except their own online submission (第十七条: 网上信访),
    which arrives at the chosen organ's intake as if its registrar had entered it."""
    if not actor.is_citizen:
        return False
    if not _ONLINE_SUBMISSION.get() or channel != Channel.ONLINE or citizen is None or citizen.pk != actor.pk:
        raise NotAllowed("群众账号只能通过网上信访提交本人的信访事项。")
    return True


MAX_COSIGNERS = 50  # 联名: the names a form can take; a larger group gives the number only


def _cosigners(people: list[PetitionerInput]) -> list[PetitionerInput]:
    """The named co-signers: a name each, and a mobile number where one is given."""
    named = []
    for index, person in enumerate(people, start=1):
        name = clean_text(person.name or "").strip()
        phone = clean_text(person.phone or "").strip()
        if not name:
            if phone:
                raise ServiceError(f"第 {index} 位联名人只填了手机号码，请填写姓名。", field="cosigner_names")
            continue
        if phone and not pii.mobile_number(phone):
            raise ServiceError(
                f"联名人“{name}”的手机号码“{phone}”不是 11 位手机号码。", field="cosigner_names"
            )
        named.append(PetitionerInput(name=name, phone=pii.mobile_number(phone) if phone else ""))
    if len(named) > MAX_COSIGNERS:
        raise ServiceError(
            f"联名人姓名最多填写 {MAX_COSIGNERS} 人，更多的请只填人数。", field="cosigner_names"
        )
    return named


@transaction.atomic
def case_submit_online(
    *,
    citizen: User,
    petitioner: PetitionerInput,
    org: Org,
    nature: str,
    category: ContentCategory,
    subject: str,
    content: str,
    problem_region: Region,
    idempotency_key: str,
    cosigner_count: int = 0,
    cosigners: list[PetitionerInput] | None = None,
) -> tuple[Case, bool]:
    """网上信访: a citizen's own submission, registered at `org` (its intake queue, channel 网上信访).

    The registration event is the submission, so the 15-day clock of 第二十二条 starts now. The
    citizen is the first petitioner (`petitioner`: their verified name, ID number and phone);
    联名 adds `cosigner_count` others, of whom `cosigners` are named, each with a mobile number
    where given (only the name and the number are taken: nobody enters another person's ID number).
    A co-signer whose verified account has that number and name sees the matter
    (`selectors.citizen_cases`). Returns (case, created): a resubmitted form (the same
    `idempotency_key` of the same citizen) returns the first case and registers nothing.
    """
    if not citizen.is_citizen:
        raise NotAllowed("网上信访只能由群众账号提交。")
    if not org.is_active:
        raise ServiceError(f"机构“{org.name}”已停用，请选择其他受理机关。", field="org")
    if not org.memberships.filter(role=Role.REGISTRAR, is_active=True).exists():
        raise ServiceError(f"“{org.name}”暂不接收网上信访，请选择其他机关。", field="org")
    named = _cosigners(cosigners or [])
    if not 0 <= cosigner_count <= MAX_HEADCOUNT - 1:
        raise ServiceError(f"联名人数应为 0 至 {MAX_HEADCOUNT - 1} 之间的整数。", field="cosigner_count")
    others = max(cosigner_count, len(named))
    token = _ONLINE_SUBMISSION.set(True)
    try:
        case, registration = case_register_idempotent(
            key=idempotency_key,
            actor=citizen,
            org=org,
            channel=Channel.ONLINE,
            nature=nature,
            category=category,
            subject=subject,
            content=content,
            problem_region=problem_region,
            petitioners=[petitioner, *named],
            headcount=1 + others,
            citizen=citizen,
        )
    finally:
        _ONLINE_SUBMISSION.reset(token)
    return case, registration is not None
