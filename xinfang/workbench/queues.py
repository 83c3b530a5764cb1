"""The home page's to-do lists (工作台待办), one set of queues per role the user holds, per organ.

Every case read starts from the access policy (``cases_visible_to`` / ``sees_case``) and "overdue"
is ``clocks.overdue_q``. Each queue is a bounded read: a COUNT and the first ``LIMIT`` rows by an
indexed condition (the organ's (current_org, status) index, the 督办 status index), overdue first
and then by due moment, so the home costs a few statements per role whatever the archive holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Count, F, OuterRef, QuerySet, Subquery, Value, When, Window
from django.db.models import Case as DbCase
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse

from xinfang.cases.clocks import is_overdue, overdue_q
from xinfang.cases.models import Case, CaseEvent, Channel, Instruction, Status
from xinfang.cases.selectors import (
    approvals_pending,
    cases_held_by,
    cases_visible_to,
    instructions_followed,
    instructions_to_carry_out,
    instructions_to_read,
)
from xinfang.cases.vocabulary import EventKind
from xinfang.core.timeutil import local_date, local_midnight, now
from xinfang.orgs.models import Membership, Org, Role, User
from xinfang.supervision.models import ACTIVE_STATUSES, DueWarning, Supervision, SupervisionStatus
from xinfang.supervision.selectors import flagged_by_unit, supervisions_visible_to
from xinfang.textintel.db.intake import find_similar

LIMIT = 8  # rows shown per queue; the count says how many there are
UNITS = 10  # units listed in 超期 by unit


@dataclass
class Queue:
    key: str
    title: str
    count: int
    items: list[Any]
    more_url: str = ""
    empty: str = "暂无待办。"

    @property
    def overdue(self) -> int:
        """How many of the rows shown are late (each builder marks its rows' `is_late`)."""
        return sum(1 for item in self.items if getattr(item, "is_late", False))


@dataclass
class Section:
    role: str
    role_label: str
    org: Org
    queues: list[Queue] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def _at_org(user: User, org: Org, statuses: tuple[str, ...]) -> QuerySet[Case]:
    """The cases at ``org`` now in ``statuses`` that ``user`` sees: the (current_org, status) index."""
    return cases_held_by(user, org).filter(status__in=list(statuses))


def _late(at: dt.datetime) -> DbCase:
    return DbCase(When(overdue_q(at), then=Value(True)), default=Value(False), output_field=BooleanField())


def _overdue_order(late: DbCase) -> list[Any]:
    """Overdue first, then by due moment (none last), then oldest first."""
    return [late.desc(), Coalesce("next_due_at", Value(_FAR)).asc(), F("id").asc()]


def _overdue_first(cases: QuerySet[Case], at: dt.datetime) -> QuerySet[Case]:
    late = _late(at)
    return cases.annotate(is_late=late).order_by(*_overdue_order(late))


_FAR = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


def _status_queues(
    user: User, org: Org, specs: list[tuple[str, str, str, str]], at: dt.datetime
) -> list[Queue]:
    """One queue per (key, title, status, empty) of the cases at `org` in that status, as
    `_case_queue` builds each, in two statements whatever the number of queues: each status's
    first LIMIT ids and its count, as window functions over one read of the (current_org, status)
    index (narrow rows: only the ids are ranked), then those cases."""
    statuses = [status for _, _, status, _ in specs]
    late = _late(at)
    within = {"partition_by": [F("status")]}
    ranked = (
        _at_org(user, org, tuple(statuses))
        .annotate(
            rank=Window(RowNumber(), order_by=_overdue_order(late), **within),
            in_status=Window(Count("pk"), **within),
        )
        .filter(rank__lte=LIMIT)
        .values_list("pk", "status", "in_status", "rank")
    )
    counts = dict.fromkeys(statuses, 0)
    order: dict[int, int] = {}
    for pk, status, in_status, rank in ranked:
        counts[status] = in_status
        order[pk] = rank
    found: dict[str, list[Case]] = {status: [] for status in statuses}
    if order:
        shown = (
            Case.objects.filter(pk__in=list(order))
            .annotate(is_late=late)
            .select_related("current_org", "category")
        )
        for case in sorted(shown, key=lambda c: order[c.pk]):
            found[case.status].append(case)
    return [
        Queue(key, title, counts[status], found[status], f"/cases/?status={status}&scope=mine", empty)
        for key, title, status, empty in specs
    ]


def _case_queue(
    key: str, title: str, cases: QuerySet[Case], at: dt.datetime, *, more_url: str = "", empty: str = ""
) -> Queue:
    count = cases.count()
    items = list(_overdue_first(cases, at).select_related("current_org", "category")[:LIMIT] if count else [])
    return Queue(key, title, count, items, more_url, empty or "暂无待办。")


def registrar_queues(user: User, org: Org, at: dt.datetime) -> list[Queue]:
    last_kind = Subquery(CaseEvent.objects.filter(case_id=OuterRef("pk")).order_by("-seq").values("kind")[:1])
    waiting = _at_org(user, org, (Status.REGISTERED,)).annotate(last_kind=last_kind)
    fresh = waiting.exclude(last_kind=EventKind.OBJECTED)
    online = _case_queue(
        "online",
        "网上信访待处理",
        fresh.filter(channel=Channel.ONLINE),
        at,
        more_url="/cases/?status=registered&channel=online&scope=mine",
        empty="没有待处理的网上信访。",
    )
    for case in online.items:
        case.queue_note = _duplicate_note(user, case)
    return [
        online,
        _case_queue(
            "to-route",
            "待交转",
            fresh.exclude(channel=Channel.ONLINE),
            at,
            more_url="/cases/?status=registered&scope=mine",
            empty="没有待交转的信访件。",
        ),
        _case_queue(
            "returned",
            "异议退回",
            waiting.filter(last_kind=EventKind.OBJECTED),
            at,
            empty="没有被承办单位异议退回的信访件。",
        ),
    ]


def _duplicate_note(user: User, case: Case) -> str:
    """查重 of an online submission against what the clerk sees: nobody keyed it in, so nobody has
    looked yet. By text, as the registration form does before the petitioners are typed."""
    found = find_similar(user, case.subject, case.content, exclude=case.pk, limit=1)
    if not found:
        return "查重：未发现相似事项"
    return f"查重：{found[0].describe()}"


# 承办人's case queues: (key, title, the status the cases are in at the unit, what an empty one says).
HANDLER_CASE_QUEUES = [
    ("to-accept", "待受理", Status.ROUTED, "没有待受理的信访件。"),
    ("in-progress", "办理中", Status.ACCEPTED, "没有办理中的信访件。"),
    ("to-deliver", "待送达", Status.REPLIED, "没有待送达的处理意见书。"),
]


def handler_queues(user: User, org: Org, at: dt.datetime) -> list[Queue]:
    return [
        *_status_queues(user, org, HANDLER_CASE_QUEUES, at),
        supervision_queue(
            "to-answer",
            "督办待反馈",
            supervisions_visible_to(user).filter(
                unit=org, status__in=[SupervisionStatus.OPEN, SupervisionStatus.OVERDUE]
            ),
            at,
            empty="没有待反馈的督办。",
        ),
        to_carry_out_queue(user, org),
    ]


def to_carry_out_queue(user: User, org: Org) -> Queue:
    return instruction_queue(
        "instructions-to-carry-out",
        "领导批示待落实",
        instructions_to_carry_out(user).filter(unit=org),
        empty="没有待落实的领导批示。",
    )


def instruction_queue(key: str, title: str, rows: QuerySet[Instruction], *, empty: str) -> Queue:
    """领导阅批 (cases.services.instructions): rows in the selector's order (overdue first where
    they have a due date), the first LIMIT of them; `Instruction.is_late` marks those overdue."""
    count = rows.count()
    items = list(rows[:LIMIT]) if count else []
    return Queue(
        key,
        title,
        count,
        items,
        reverse("workbench:instruction-list"),
        empty,
    )


def approver_queues(user: User, org: Org, at: dt.datetime) -> list[Queue]:
    """审核人: the extension requests and drafts of the organ that wait for the user's decision
    (`cases.selectors.approvals_pending`: never their own), oldest first; the clocks keep running."""
    pending = [p for p in approvals_pending(user) if p.case.current_org_id == org.pk]
    items = []
    for p in pending[:LIMIT]:
        case = p.case
        case.is_late = is_overdue(case, at)  # type: ignore[attr-defined]
        case.queue_note = f"{p.label} · {p.request.actor}"  # type: ignore[attr-defined]
        items.append(case)
    return [
        Queue(
            "approvals",
            "待审批",
            len(pending),
            items,
            more_url="/approvals/",
            empty="没有待审批的申请。",
        )
    ]


def supervision_queue(
    key: str, title: str, rows: QuerySet[Supervision], at: dt.datetime, *, empty: str
) -> Queue:
    count = rows.count()
    items = list(rows.order_by("feedback_due", "id")[:LIMIT]) if count else []
    today = local_date(at)
    for item in items:
        item.is_late = item.feedback_due < today or item.status == SupervisionStatus.OVERDUE
    return Queue(
        key,
        title,
        count,
        items,
        reverse("workbench:supervision-list"),
        empty,
    )


def overdue_by_unit(user: User) -> list[dict[str, Any]]:
    """How many visible cases each unit has flagged overdue (超期, the sweep's flags of the same
    duty clocks as ``overdue_q``), most first: the grouped read the 期限预警 page counts with, so
    each figure is what its link shows. Reading the flags, not every visible case, keeps it cheap
    for a bureau that sees a whole province."""
    flagged = flagged_by_unit(user, kind=DueWarning.Kind.OVERDUE)
    top = sorted(
        ((n, org) for (_kind, org), n in flagged.items() if org is not None),
        key=lambda pair: (-pair[0], pair[1]),
    )[:UNITS]
    names = dict(Org.objects.filter(pk__in=[org for _, org in top]).values_list("pk", "name"))
    return [{"org_id": org, "name": names.get(org, ""), "count": n} for n, org in top]


def week_figures(org: Org, at: dt.datetime) -> list[dict[str, Any]]:
    """This week against last week at ``org`` (Monday to now, Beijing days): registrations by the
    organ (its (registered_org, registered_at) index) and cases it holds that are overdue."""
    today = local_date(at)
    monday = today - dt.timedelta(days=today.weekday())
    this_start, last_start = local_midnight(monday), local_midnight(monday - dt.timedelta(days=7))
    last_same = at - dt.timedelta(days=7)  # last week up to the same moment, so the two compare
    registered = Case.objects.filter(registered_org=org)
    this_week = registered.filter(registered_at__gte=this_start, registered_at__lte=at).count()
    last_week = registered.filter(registered_at__gte=last_start, registered_at__lte=last_same).count()
    return [
        {"label": "本周登记", "value": this_week, "previous": last_week, "previous_label": "上周同期"},
    ]


def _roles_by_org(user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, is_active=True, org__is_active=True).select_related(
            "org", "org__region"
        )
    )


def _first_org_with(memberships: list[Membership], role: str) -> int | None:
    """Lists that are per person, not per organ (a leader's 包案 and reception days, the tasks of
    all the user's units): shown once, in the first organ where the user holds ``role``."""
    return next((m.org.pk for m in memberships if m.role == role), None)


ROLE_ORDER = [Role.REGISTRAR, Role.HANDLER, Role.APPROVER, Role.BUREAU_HEAD, Role.LEADER, Role.STATS_VIEWER]


def home_sections(
    user: User, memberships: list[Membership] | None = None, *, at: dt.datetime | None = None
) -> list[Section]:
    """One section per (organ, role) the user holds, in role order; a role with nothing to do
    (系统管理员) has none."""
    at = at or now()
    memberships = _roles_by_org(user) if memberships is None else memberships
    rank = {role: i for i, role in enumerate(ROLE_ORDER)}
    sections = []
    for m in sorted((m for m in memberships if m.role in rank), key=lambda m: (rank[m.role], m.org.path)):
        section = Section(m.role, m.get_role_display(), m.org)
        if m.role == Role.REGISTRAR:
            section.queues = registrar_queues(user, m.org, at)
        elif m.role == Role.HANDLER:
            section.queues = handler_queues(user, m.org, at)
            if m.org.pk == _first_org_with(memberships, Role.HANDLER):
                from xinfang.workbench.leadership_home import unit_queues

                section.queues.extend(unit_queues(user, at))
        elif m.role == Role.BUREAU_HEAD:
            section.queues = [
                supervision_queue(
                    "opened",
                    "本机关督办中",
                    supervisions_visible_to(user).filter(
                        opened_by_org=m.org, status__in=list(ACTIVE_STATUSES)
                    ),
                    at,
                    empty="本机关没有未办结的督办。",
                )
            ]
            section.queues.append(to_carry_out_queue(user, m.org))
            from xinfang.workbench.leadership_home import reception_shortfall_queue

            if shortfall := reception_shortfall_queue(user, at):
                section.queues.append(shortfall)
            section.extra = {
                "overdue_units": overdue_by_unit(user),
                "week": week_figures(m.org, at),
                "alerts": True,
            }
        elif m.role == Role.LEADER:
            # The leader's own work first (包案, reception days: 第十八条); then 领导阅批: what
            # waits for the leader's 批示 and the follow-up of those written; then the overdue and
            # supervised cases, which are what a leader is asked about.
            from xinfang.workbench.leadership_home import leader_queues

            section.queues = [
                *(leader_queues(user, at) if m.org.pk == _first_org_with(memberships, Role.LEADER) else []),
                instruction_queue(
                    "instructions-to-read",
                    "待阅批",
                    instructions_to_read(user).filter(leader_org=m.org),
                    empty="没有待阅批的信访件。",
                ),
                instruction_queue(
                    "instructions-followed",
                    "批示跟踪",
                    instructions_followed(user).filter(leader_org=m.org),
                    empty="没有待落实的批示。",
                ),
                _case_queue(
                    "leader-overdue",
                    "超期未办结",
                    cases_visible_to(user).filter(overdue_q(at)),
                    at,
                    more_url="/cases/?overdue=1",
                    empty="没有超期未办结的信访件。",
                ),
                supervision_queue(
                    "leader-supervised",
                    "督办中",
                    supervisions_visible_to(user).filter(status__in=list(ACTIVE_STATUSES)),
                    at,
                    empty="没有督办中的信访件。",
                ),
            ]
        elif m.role == Role.STATS_VIEWER:
            section.extra = {"statistics": True}
        elif m.role == Role.APPROVER:
            section.queues = approver_queues(user, m.org, at)
        else:
            continue
        sections.append(section)
    return sections
