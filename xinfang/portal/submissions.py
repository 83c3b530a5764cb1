"""What a citizen does to a case, each through the case services in one transaction: submit with
attachments, add material (补充材料), rate, ask for 复查 or 复核 with attachments. The rules are the
services'; this module only bundles a step with its files and counts the portal's rate limits."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from xinfang.cases import services
from xinfang.cases.models import Case, ContentCategory, IdempotencyKey
from xinfang.cases.services import PetitionerInput
from xinfang.cases.services.attachments import attachment_problem
from xinfang.core.errors import ServiceError, ServiceErrors
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import Org, Region, User
from xinfang.portal import throttle
from xinfang.portal.accounts import citizen_petitioner
from xinfang.portal.selectors import CLOSED, cn_date
from xinfang.textintel.db.intake import PersonIn, find_similar

__all__ = ["Similar", "appeal", "rate", "similar_matters", "submit", "submitted_with", "supplement"]

MAX_FILES = 5
Files = list[tuple[str, bytes]]


def _check_files(files: Files) -> None:
    if len(files) > MAX_FILES:
        raise ServiceError(f"一次最多上传 {MAX_FILES} 个文件（现有 {len(files)} 个）。", field="files")
    problems = [p for name, content in files if (p := attachment_problem(name, content, by_content=True))]
    if problems:
        raise ServiceErrors([ServiceError(p.message, field="files") for p in problems])


def _attach_all(citizen: User, case: Case, files: Files) -> None:
    for name, content in files:
        services.case_attach(actor=citizen, case=case, name=name, content=content)


@dataclass(frozen=True)
class Similar:
    case_id: int
    number: str
    subject: str
    registered_on: str
    is_open: bool


def similar_matters(citizen: User, *, subject: str, content: str) -> list[Similar]:
    """查重 against the citizen's own earlier matters (the access policy shows them nothing else)."""
    person = citizen_petitioner(citizen)
    found = find_similar(
        citizen,
        subject,
        content,
        [PersonIn(name=person.name, id_number=person.id_number, phone=person.phone)],
    )
    # Text similarity alone: every earlier matter of the account is the same person's.
    ids = [s.case_id for s in found if s.similarity >= 0.5]
    cases = {c.pk: c for c in Case.objects.filter(pk__in=ids, citizen=citizen)}
    return [
        Similar(c.pk, c.number, c.subject, cn_date(local_date(c.registered_at)), c.status not in CLOSED)
        for pk in ids
        if (c := cases.get(pk)) is not None
    ]


def submitted_with(citizen: User, token: str) -> Case | None:
    """The case a form with this token already registered (a retry after a lost answer), or None."""
    done = IdempotencyKey.objects.filter(user=citizen, key=token).select_related("case").first()
    return done.case if done is not None else None


def submit(
    *,
    citizen: User,
    ip: str | None,
    token: str,
    org: Org,
    nature: str,
    category: ContentCategory,
    subject: str,
    content: str,
    problem_region: Region,
    address: str = "",
    cosigner_count: int = 0,
    cosigners: list[PetitionerInput] | None = None,
    files: Files | None = None,
) -> tuple[Case, bool]:
    """网上信访 with its attachments, all or nothing; (case, created) as `case_submit_online`."""
    files = files or []
    if (done := submitted_with(citizen, token)) is not None:
        return done, False  # the same form again (a retry after a lost answer): nothing new
    _check_files(files)
    throttle.check("submit_account", str(citizen.pk), "您今天提交的事项较多，请 {wait}后再提交。")
    throttle.check("submit_ip", ip or "", "当前网络提交过于频繁，请 {wait}后再提交。")
    with transaction.atomic():
        case, created = services.case_submit_online(
            citizen=citizen,
            petitioner=citizen_petitioner(citizen, address=address),
            org=org,
            nature=nature,
            category=category,
            subject=subject,
            content=content,
            problem_region=problem_region,
            idempotency_key=token,
            cosigner_count=cosigner_count,
            cosigners=cosigners,
        )
        if created:
            _attach_all(citizen, case, files)
    return case, created


def supplement(*, citizen: User, case: Case, files: Files) -> Case:
    """补充材料 to an open matter of the citizen's own (case_attach checks both)."""
    if not files:
        raise ServiceError("请选择要上传的文件。", field="files")
    _check_files(files)
    with transaction.atomic():
        _attach_all(citizen, case, files)
    return case


def rate(*, citizen: User, case: Case, track: str, value: str, reason: str) -> Case:
    return services.case_rate(actor=citizen, case=case, track=track, value=value, reason=reason)


def appeal(*, citizen: User, case: Case, stage: str, reasons: str, files: Files) -> Case:
    """复查 (stage "review") or 复核 ("rereview") with the reasons and any attachments."""
    _check_files(files)
    request = services.case_review_request if stage == "review" else services.case_rereview_request
    with transaction.atomic():
        case = request(actor=citizen, case=case, reasons=reasons)
        _attach_all(citizen, case, files)
    return case
