"""Reads of cases, all through one access policy: `cases_visible_to`.

Lists, detail pages, documents, exports, reports and the API start from this queryset, so a
permission rule lives in exactly one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models import Case as DbCase

from xinfang.cases import pii, search
from xinfang.cases.clocks import overdue_q
from xinfang.cases.hooks import citizen_identity
from xinfang.cases.models import (
    Case,
    CaseAccess,
    CaseEvent,
    Instruction,
    InstructionState,
    Nature,
    Petitioner,
)
from xinfang.cases.vocabulary import APPROVAL_KINDS, Action
from xinfang.core.timeutil import local_midnight, now
from xinfang.orgs.models import Org, OrgKind, Region, Role, User
from xinfang.orgs.selectors import user_memberships, user_orgs


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The cases `user` may see.

    - a citizen: the matters they submitted themselves and, once the account has a verified
      identity (实名), the matters that name them as a petitioner (a co-signer of a 联名 matter,
      a member of a group registered by staff): `citizen_cases`;
    - staff: matters their organisation registered, leads or assists on (now or before), or
      reviews; a Party committee or government also sees what the organs below it in the
      organisation tree registered or handle (it is their 复查/复核 organ); a petition bureau also
      sees every matter about, registered in or handled in its region and the regions below it;
    - never, for anyone: an accusation (检举控告) against their own organisation, even when it is
      involved in the case (第三十条: accusation material is not passed to the accused). Other
      organs under the same government are separate organs and keep their ordinary view.

    Staff visibility is read from `CaseAccess` (the organs and the region each case involves, kept
    by the services) through its indexes, whatever the number of cases. Two forms of the same
    condition: for a user who may see few cases, the visible ids are listed first (a semi-join,
    then only those cases are read); for a bureau-wide user, each case a query reaches is probed by
    its id instead, so a list page ordered by an index stops after its first rows rather than
    listing and sorting every visible case. SQLite's planner does not choose between the two by
    itself; one small read of at most `WIDE_ROWS` index entries decides.
    """
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if user.is_citizen:
        return Case.objects.filter(citizen_cases(user))
    orgs = _staff_orgs(user)
    if not orgs:
        return Case.objects.none()
    condition = _access_condition(orgs)
    rows = CaseAccess.objects.filter(condition)
    if rows.values("case_id")[:WIDE_ROWS].count() >= WIDE_ROWS:
        return Case.objects.filter(_probe(condition, orgs))
    return Case.objects.filter(pk__in=rows.values("case_id")).exclude(_accusations_against(orgs))


def citizen_cases(user: User) -> Q:
    """The cases of a citizen account, as a condition on cases: its own submissions, and those with
    a petitioner of the account's verified mobile number AND name (`hooks.citizen_identity`).

    The mobile number is what the portal proves (an SMS code at registration); the ID number is
    only checked for its check digit, so matching on it would let whoever types another person's
    number read that person's matters. The name as well, because a number changes hands: a
    recycled number alone would show its new holder the matters of the old. A co-signer sees the
    matter; acting on it (rating, appeals, material) stays with the account that submitted it,
    which the services check (`case.citizen_id`)."""
    own = Q(citizen=user)
    identity = citizen_identity.identify(user)
    if identity is None or not identity.phone_hash or not identity.name_key:
        return own
    # The few case ids first, through the index on the phone's hash: an OR with a subquery would
    # make the database test every case (an index serves each side of an OR of two id conditions).
    named = list(
        Petitioner.objects.filter(phone_hash=identity.phone_hash, name_key=identity.name_key)
        .order_by()
        .values_list("case_id", flat=True)
        .distinct()
    )
    return own | Q(pk__in=named) if named else own


# Above this many access rows a user is bureau-wide for `cases_visible_to`.
WIDE_ROWS = 2000


def cases_held_by(user: User, org: Org) -> QuerySet[Case]:
    """`cases_visible_to(user)` of the cases `org` holds now (``current_org``): the home's queues.

    For a member of `org` the policy needs no access row: the organ holding a case is always on
    one of its rows (`xinfang.cases.access.access_rows`), so what remains is the one exception,
    the accusations against the user's organs (第三十条). The queue then reads the (current_org,
    status) index alone instead of probing `CaseAccess` for each of a busy unit's cases. For
    anyone else, the policy as it is."""
    orgs = _staff_orgs(user) if user.is_authenticated and user.is_active and not user.is_citizen else []
    if all(member.pk != org.pk for member in orgs):
        return cases_visible_to(user).filter(current_org=org)
    return Case.objects.filter(current_org=org).exclude(_accusations_against(orgs))


def sees_case(user: User, ref: str = "pk") -> Q:
    """`cases_visible_to` as a condition on rows that name a case at `ref` ("pk" on cases,
    "case_id" on warnings, 督办, ...), checked for each row by the case's id.

    For querysets already narrowed to few rows by an indexed condition (one case, the flagged
    cases, the 督办): probing each row costs less there than listing every visible case first.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_citizen:
        return Q(Exists(Case.objects.filter(citizen_cases(user), pk=OuterRef(ref))))
    orgs = _staff_orgs(user)
    if not orgs:
        return Q(pk__in=[])
    return _probe(_access_condition(orgs), orgs, ref)


def _probe(condition: Q, orgs: list[Org], ref: str = "pk") -> Q:
    """EXISTS an access row of the case at `ref` meeting `condition`, and that case is no
    accusation against `orgs`. On cases the exclusion is on the row itself, not inside the EXISTS:
    PostgreSQL would otherwise hash every visible row joined to its case. On rows that name a case
    (warnings, 督办) it is a probe of that case by its id too, so a count over such rows need not
    join them to the cases (PostgreSQL hashed all the cases for that join)."""
    rows = CaseAccess.objects.filter(condition, case_id=OuterRef(ref))
    # Inside a CASE, PostgreSQL keeps the EXISTS a per-row probe by the case's id instead of
    # turning it into a semi-join that hashes every row the user may see.
    probe = DbCase(When(Exists(rows), then=Value(True)), default=Value(False), output_field=BooleanField())
    if ref == "pk":
        return Q(probe) & ~_accusations_against(orgs)
    accused = Case.objects.filter(_accusations_against(orgs), pk=OuterRef(ref))
    return Q(probe) & ~Exists(accused)


def case_visible(user: User, case_id: int) -> QuerySet[Case]:
    """The case `case_id` if `user` may see it (`cases_visible_to` for one case, probed by its id)."""
    return Case.objects.filter(pk=case_id).filter(sees_case(user))


def _staff_orgs(user: User) -> list[Org]:
    return list(Org.objects.filter(pk__in=user_memberships(user).values("org")).select_related("region"))


def _access_condition(orgs: list[Org]) -> Q:
    """Which `CaseAccess` rows make a case visible to members of `orgs`."""
    # The organ takes part itself: registered, responsible, handling (now or before) or reviewing.
    condition = Q(org_id__in=[org.pk for org in orgs])
    governments = [org.path for org in orgs if org.kind == OrgKind.PARTY_GOVERNMENT]
    if governments:
        # A Party committee or government oversees the organs under it and is their 复查/复核 organ
        # (第三十五、三十六条), so it sees what they registered or handle.
        below = Org.objects.filter(_any_prefix("path", governments)).values("pk")
        condition |= Q(tree=True, org_id__in=below)
    regions = [org.region.path for org in orgs if org.is_petition_bureau]
    if regions:
        # A petition bureau sees what is about its region and below, and what organs there
        # registered or are responsible for now.
        within = Region.objects.filter(_any_prefix("path", regions)).values("pk")
        condition |= Q(region_id__in=within) | Q(area=True, org_id__in=Org.objects.filter(region__in=within))
    return condition


def _any_prefix(field: str, prefixes: list[str]) -> Q:
    condition = Q()
    for prefix in prefixes:
        condition |= Q(**{f"{field}__startswith": prefix})
    return condition


def _accusations_against(orgs: list[Org], prefix: str = "") -> Q:
    """The cases never shown to members of `orgs`, as a condition on `prefix` + a case's fields."""
    return Q(**{f"{prefix}nature": Nature.ACCUSATION}) & Q(
        **{f"{prefix}accused_org_id__in": [org.pk for org in orgs]}
    )


def hidden_as_accused(user: User, case: Case) -> bool:
    """Whether `case` is an accusation against an organ `user` works at, which the policy hides
    from them (第三十条): the same rule as `_accusations_against`, for a case already in hand."""
    return (
        case.nature == Nature.ACCUSATION
        and case.accused_org_id is not None
        and user_memberships(user).filter(org_id=case.accused_org_id).exists()
    )


def case_detail(user: User, case_id: int) -> Case | None:
    return (
        case_visible(user, case_id)
        .select_related(
            "category", "problem_region", "registered_org", "current_org", "review_org", "accused_org"
        )
        .first()
    )


def case_events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor", "org").order_by("seq")


# Where a case waits on an organ (not concluded, not served and waiting on the petitioner).
IN_HAND = ("registered", "routed", "accepted", "replied", "reviewing", "rereviewing")


def cases_filtered(
    user: User,
    *,
    status: str | None = None,
    org_id: int | None = None,
    mine: bool = False,
    category_prefix: str | None = None,
    overdue: bool | None = None,
    registered_from: dt.date | None = None,
    registered_to: dt.date | None = None,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    channel: str | None = None,
    text: str | None = None,
    q: str | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    query_code: str | None = None,
    at: dt.datetime | None = None,
) -> QuerySet[Case]:
    """The cases `user` may see (`cases_visible_to`), narrowed by the list filters of every surface.

    Values arrive validated (each page or endpoint says what a bad one means to its users); None,
    False or "" leaves a filter out. `org_id`: the responsible organ now; `mine`: one of the user's
    own organs is; `category_prefix`: a code prefix (a subtree of the table); `overdue`: with or
    without an organ's duty clock past due at `at` (`clocks.overdue_q`); the registration days are
    Beijing days, both included, and so are the 信访日期 of `received_from` / `received_to`; `text`:
    part of the number (digits only), or every word in the subject or the content (`search.by_text`); `q`: the one
    search box, whose kind is recognised (`search.classify`); `id_number`, `phone`, `name`: a
    petitioner of the case, exactly, through the keyed hashes (nothing is decrypted);
    `query_code`: the citizen's 查询码. Unordered: each surface pages in its own order.
    """
    cases = cases_visible_to(user)
    if status:
        cases = cases.filter(status=status)
    if org_id is not None:
        cases = cases.filter(current_org_id=org_id)
    if mine:
        # 本单位在办: in the unit's hands now, never what it closed or answered and served.
        cases = cases.filter(current_org__in=user_orgs(user), status__in=IN_HAND)
    if category_prefix:
        cases = cases.filter(category__code__startswith=category_prefix)
    if overdue is not None:
        late = overdue_q(at or now())
        cases = cases.filter(late if overdue else ~late)
    if registered_from is not None:
        cases = cases.filter(registered_at__gte=local_midnight(registered_from))
    if registered_to is not None:
        cases = cases.filter(registered_at__lt=local_midnight(registered_to + dt.timedelta(days=1)))
    if received_from is not None:
        cases = cases.filter(received_on__gte=received_from)
    if received_to is not None:
        cases = cases.filter(received_on__lte=received_to)
    if channel:
        cases = cases.filter(channel=channel)
    if text:
        digits = text.isascii() and text.isdigit()
        cases = cases.filter(search.by_text(text) | (Q(number__contains=text) if digits else Q(pk__in=[])))
    if q and (query := search.classify(q)) is not None:
        cases = cases.filter(search.by_query(query))
    if id_number:
        cases = cases.filter(search.by_id_number(id_number))
    if phone:
        cases = cases.filter(search.by_phone(phone))
    if name:
        cases = cases.filter(search.by_name(name))
    if query_code:
        cases = cases.filter(query_code=pii.normalise(query_code))
    return cases


@dataclass(frozen=True)
class EarlierMatter:
    """One of a person's earlier matters, as the registration form shows it (no personal data)."""

    case_id: int
    number: str
    subject: str
    status: str
    received_on: dt.date
    unit: str


def person_matters(
    user: User, *, id_number: str = "", phone: str = "", limit: int = 10
) -> list[EarlierMatter]:
    """The matters of the person with this ID number or phone that `user` may see, newest first,
    whatever their wording (the registration form's panel, shown while the clerk types)."""
    condition = Q(pk__in=[])
    if id_number:
        condition |= search.by_id_number(id_number)
    if phone:
        condition |= search.by_phone(phone)
    rows = (
        cases_visible_to(user)
        .filter(condition)
        .select_related("current_org")
        .order_by("-registered_at", "-id")[:limit]
    )
    return [
        EarlierMatter(c.pk, c.number, c.subject, c.get_status_display(), c.received_on, c.current_org.name)
        for c in rows
    ]


# -- approvals: requests waiting for a unit's 审核人 (xinfang.cases.services.approvals) -----------

# Who approves in a unit (第三十四条: 经本机关负责人批准): its 审核人 or its 信访部门负责人.
APPROVER_ROLES = (Role.APPROVER, Role.BUREAU_HEAD)

REQUEST_LABELS = {
    "extension_requested": "延期申请",
    "reply_submitted": "处理意见书",
    "opinion_submitted": "复查/复核意见",
}


@dataclass(frozen=True)
class PendingApproval:
    """A request waiting for a decision: the case, the request event and who asked when."""

    case: Case
    request: CaseEvent

    @property
    def label(self) -> str:
        if self.request.kind == "opinion_submitted":
            return str(self.request.payload.get("stage_name", "")) + "意见"
        return REQUEST_LABELS.get(self.request.kind, self.request.kind)


def pending_requests(case: Case) -> list[CaseEvent]:
    """The case's requests that wait for a decision (at most one of each kind), oldest first."""
    pending = []
    for request_kind, (granted, returned) in APPROVAL_KINDS.items():
        last = (
            case.events.filter(kind__in=[request_kind, granted, returned])
            .select_related("actor")
            .order_by("-seq")
            .first()
        )
        if last is not None and last.kind == request_kind:
            pending.append(last)
    return sorted(pending, key=lambda event: event.seq)


def approvals_pending(user: User) -> list[PendingApproval]:
    """The requests `user` may decide: in the organs where they are 审核人 or 信访部门负责人, on
    open cases they may see, oldest request first (the clocks keep running while they wait)."""
    orgs = user_memberships(user).filter(role__in=APPROVER_ROLES).values("org_id")
    cases = cases_visible_to(user).filter(current_org__in=orgs, closed_at__isnull=True)
    condition = Q(pk__in=[])
    for request_kind, (granted, returned) in APPROVAL_KINDS.items():
        kinds = (request_kind, granted, returned)
        condition |= Q(
            pk__in=CaseEvent.objects.filter(case__in=cases, kind=request_kind)
            .annotate(latest=_latest_of_case(kinds))
            .filter(seq=F("latest"))
            .values("pk")
        )
    requests = (
        CaseEvent.objects.filter(condition)
        .exclude(actor=user)  # nobody decides their own request
        .select_related("actor", "case", "case__current_org")
        .order_by("at", "pk")
    )
    return [PendingApproval(case=event.case, request=event) for event in requests]


def _latest_of_case(kinds: tuple[str, ...]) -> Subquery:
    return Subquery(
        CaseEvent.objects.filter(case=OuterRef("case"), kind__in=kinds).order_by("-seq").values("seq")[:1]
    )


# The approved steps: each request kind, the actions that decide it, the one that makes it, and
# the direct step it replaces where the unit needs approval.
APPROVAL_STEPS: dict[str, tuple[frozenset[Action], Action, frozenset[Action]]] = {
    "extension_requested": (
        frozenset({Action.APPROVE_EXTENSION, Action.RETURN_EXTENSION}),
        Action.REQUEST_EXTENSION,
        frozenset(),
    ),
    "reply_submitted": (
        frozenset({Action.APPROVE_REPLY, Action.RETURN_REPLY}),
        Action.SUBMIT_REPLY_FOR_APPROVAL,
        frozenset({Action.REPLY}),
    ),
    "opinion_submitted": (
        frozenset({Action.APPROVE_OPINION, Action.RETURN_OPINION}),
        Action.SUBMIT_OPINION_FOR_APPROVAL,
        frozenset({Action.REVIEW_DECIDE, Action.REREVIEW_DECIDE}),
    ),
}


def approval_steps_not_offered(case: Case, user: User) -> set[Action]:
    """The approval steps the case page does not offer `user` now: a decision with no request
    pending, or on their own request, or without the approver's role; a second request while one
    waits; and the direct issue of an opinion where the unit needs approval, unless the user is
    its 领导, who signs the opinion themselves (services.approvals) and submits no draft."""
    org = case.current_org
    roles = set(user_memberships(user).filter(org=org).values_list("role", flat=True)) if org else set()
    approver = bool(roles & set(APPROVER_ROLES))
    leads = Role.LEADER in roles
    pending = {event.kind: event for event in pending_requests(case)}
    hidden: set[Action] = set()
    for kind, (decisions, request, direct) in APPROVAL_STEPS.items():
        waiting = pending.get(kind)
        if waiting is None or not approver or waiting.actor_id == user.pk:
            hidden |= decisions
        if waiting is not None:
            hidden.add(request)
        if leads and direct:
            hidden.add(request)
        elif org is not None and org.requires_approval:
            hidden |= direct
    return hidden


@dataclass(frozen=True)
class RequestOutcome:
    """One of a user's own requests and, once decided, the decision (approved or sent back)."""

    case: Case
    request: CaseEvent
    decision: CaseEvent | None

    @property
    def label(self) -> str:
        return PendingApproval(self.case, self.request).label

    @property
    def outcome(self) -> str:
        if self.decision is None:
            return "待审核"
        granted, _ = APPROVAL_KINDS[self.request.kind]
        return "已批准" if self.decision.kind == granted else "已退回"

    @property
    def remark(self) -> str:
        """The approver's note, or the reason it was sent back."""
        if self.decision is None or not isinstance(self.decision.payload, dict):
            return ""
        key = "note" if self.outcome == "已批准" else "reason"  # an extension's payload keeps its reason
        return str(self.decision.payload.get(key) or "")


def my_requests(user: User, *, limit: int = 20) -> list[RequestOutcome]:
    """The user's latest requests on cases they may still see, newest first, each with its
    decision (the decision's payload names the request it answers: `request_seq`)."""
    requests = list(
        CaseEvent.objects.filter(actor=user, kind__in=list(APPROVAL_KINDS), case__in=cases_visible_to(user))
        .select_related("case", "case__current_org")
        .order_by("-at", "-pk")[:limit]
    )
    decided_kinds = [kind for pair in APPROVAL_KINDS.values() for kind in pair]
    decisions = {
        (event.case_id, event.payload.get("request_seq")): event
        for event in CaseEvent.objects.filter(
            case_id__in={r.case_id for r in requests}, kind__in=decided_kinds
        ).select_related("actor")
        if isinstance(event.payload, dict) and event.payload.get("request_seq")
    }
    return [RequestOutcome(r.case, r, decisions.get((r.case_id, r.seq))) for r in requests]


# -- leaders' instructions (领导阅批, xinfang.cases.services.instructions) -------------------------

# Who carries out an instruction at the unit it is addressed to (services._core.UNIT_ROLES).
INSTRUCTION_UNIT_ROLES = (Role.HANDLER, Role.APPROVER, Role.BUREAU_HEAD)


def _instruction_rows(user: User) -> QuerySet[Instruction]:
    return Instruction.objects.filter(sees_case(user, "case_id")).select_related(
        "case", "case__current_org", "leader", "leader_org", "sent_by", "sent_by_org", "unit", "reported_by"
    )


def _due_first() -> tuple[object, ...]:
    # Earliest date first: what is overdue comes before what is due later; no date last.
    return (F("due_on").asc(nulls_last=True), "instructed_at", "pk")


def instructions_to_read(user: User) -> QuerySet[Instruction]:
    """待阅批: the cases sent to `user` to read and instruct on, oldest sending first."""
    return _instruction_rows(user).filter(leader=user, state=InstructionState.SENT).order_by("sent_at", "pk")


def instructions_followed(user: User) -> QuerySet[Instruction]:
    """批示跟踪: `user`'s instructions that the unit has not yet reported on, overdue first."""
    return (
        _instruction_rows(user).filter(leader=user, state=InstructionState.INSTRUCTED).order_by(*_due_first())
    )


def instructions_to_carry_out(user: User) -> QuerySet[Instruction]:
    """领导批示待落实: instructions addressed to a unit where `user` handles, approves or heads, not
    yet reported on, overdue first."""
    units = user_memberships(user).filter(role__in=INSTRUCTION_UNIT_ROLES).values("org_id")
    return (
        _instruction_rows(user)
        .filter(unit__in=units, state=InstructionState.INSTRUCTED)
        .order_by(*_due_first())
    )


def case_instructions(case: Case) -> list[Instruction]:
    """The case's instructions, in the order they were opened (the case page)."""
    return list(
        case.instructions.select_related(
            "leader", "leader_org", "sent_by", "sent_by_org", "unit", "reported_by"
        ).order_by("seq")
    )


def instructions_sent_by(user: User) -> QuerySet[Instruction]:
    """What `user` sent to leaders, newest first, whatever its state (the sender follows it up)."""
    return _instruction_rows(user).filter(sent_by=user).order_by("-sent_at", "-pk")
