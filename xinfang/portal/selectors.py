"""Reads of the portal: a citizen's own matters, the 查询码 lookup, and what a petitioner is told
about a case (timeline, next step, due dates, documents). Every case read starts from the one access
policy (`cases_visible_to`) or, for the lookup, from the number and its code together."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from xinfang.cases.clocks import case_clocks
from xinfang.cases.documents import PETITIONER_KINDS, available_documents
from xinfang.cases.models import Case, CaseEvent, Rating
from xinfang.cases.selectors import cases_visible_to
from xinfang.cases.services.appeals import rating_unit
from xinfang.cases.vocabulary import CLOCK_LONG_LABELS, Clock, EventKind, Status
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import Org, OrgKind, Region, Role, User
from xinfang.portal import throttle

# What the petitioner is told of each step, in plain words. Internal steps (approvals, notes, links,
# 督办, objections between organs) are the organs' own business and are not listed.
CITIZEN_STEPS: dict[str, str] = {
    EventKind.REGISTERED: "登记",
    EventKind.FORWARDED: "转送有权处理的机关",
    EventKind.ASSIGNED: "交办有权处理的机关",
    EventKind.ACCEPTED: "受理",
    EventKind.DECLINED: "不予受理",
    EventKind.REFUSED_AGAIN: "不再受理",
    EventKind.EXTENDED: "延长办理期限",
    EventKind.HEARING_STARTED: "举行听证（听证期间不计入复核等有关期限）",
    EventKind.HEARING_ENDED: "听证结束",
    EventKind.REPLIED: "出具信访处理意见书",
    EventKind.ANSWERED: "直接答复",
    EventKind.DELIVERED: "送达信访处理意见书",
    EventKind.RATED: "满意度评价",
    EventKind.REVIEW_REQUESTED: "申请复查",
    EventKind.REVIEW_DECIDED: "作出复查意见",
    EventKind.REREVIEW_REQUESTED: "申请复核",
    EventKind.REREVIEW_DECIDED: "作出复核意见",
    EventKind.TERMINATED: "办结（终结）",
    EventKind.ATTACHED: "补充材料",
}
CLOSED = (Status.DECLINED, Status.REFUSED_AGAIN, Status.TERMINATED)
RATABLE = (Status.DELIVERED, Status.REVIEWING)  # the statuses where the transitions allow rating
# The documents a petitioner receives; the reply counts as received once it was served (送达).
AFTER_DELIVERY = {"reply_opinion"}
DELIVERED_OR_LATER = (
    Status.DELIVERED,
    Status.REVIEWING,
    Status.REVIEWED,
    Status.REREVIEWING,
    Status.TERMINATED,
)


def cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


@dataclass(frozen=True)
class Step:
    day: dt.date
    text: str
    org: str


@dataclass(frozen=True)
class DueDate:
    label: str
    due_on: dt.date
    state: str  # running / overdue / met / met_late / lapsed / paused
    overdue: bool

    @property
    def text(self) -> str:
        return cn_date(self.due_on)


@dataclass
class CaseView:
    case: Case
    steps: list[Step]
    next_step: str
    due_dates: list[DueDate]
    documents: list[tuple[str, str]]
    opinion: str = ""  # the 复查/复核 opinion's text, once issued
    reply_delivered: bool = False
    ratable_tracks: list[tuple[str, str]] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    appeal: str = ""  # "review" / "rereview" when the petitioner may ask for one now
    appeal_due: dt.date | None = None
    appeal_lapsed: str = ""
    # The signed-in citizen is a co-signer (联名), not the submitter: they see the matter and its
    # letters; rating, appeals and material are the submitter's (docs/portal.md).
    cosigned: bool = False

    @property
    def is_open(self) -> bool:
        return self.case.status not in CLOSED

    @property
    def overdue(self) -> bool:
        return any(d.overdue for d in self.due_dates)


def my_cases(user: User) -> QuerySet[Case]:
    """The account's matters: its own and those it co-signed (`cosigned`), newest first."""
    return (
        cases_visible_to(user)
        .select_related("current_org")
        .annotate(
            cosigned=ExpressionWrapper(
                ~Q(citizen_id=user.pk) | Q(citizen__isnull=True), output_field=BooleanField()
            )
        )
        .order_by("-registered_at", "-id")
    )


def case_of_citizen(user: User, case_id: int) -> Case | None:
    return (
        cases_visible_to(user)
        .filter(pk=case_id)
        .select_related("category", "problem_region", "registered_org", "current_org", "review_org")
        .first()
    )


LOOKUP_REFUSED = "信访件编号或查询码不正确，请核对后重试。"


def case_by_code(*, number: str, code: str, ip: str | None) -> Case | None:
    """The case with this number whose 查询码 is `code`, or None: the same answer for a number that
    does not exist and for a wrong code, so a lookup never says which numbers are taken. Counted
    per address and per number (ServiceError "throttled" over the limit)."""
    number = (number or "").strip()
    code = (code or "").strip().upper().replace(" ", "")
    throttle.check("lookup_ip", ip or "", "查询过于频繁，请 {wait}后再试。", field="number")
    throttle.check("lookup_number", number, "该编号查询次数过多，请 {wait}后再试。", field="number")
    if not number or not code:
        return None
    return (
        Case.objects.filter(number=number, query_code=code)
        .select_related("category", "problem_region", "registered_org", "current_org", "review_org")
        .first()
    )


def _clocks(case: Case, events: list[CaseEvent]) -> list[DueDate]:
    out = []
    for clock in case_clocks(case, events=events):
        if clock.due_on is None or clock.state in ("not_started", "cancelled"):
            continue
        out.append(
            DueDate(
                label=CLOCK_LONG_LABELS.get(clock.name, clock.name),
                due_on=clock.due_on,
                state=clock.state,
                overdue=clock.state == "overdue",
            )
        )
    return out


def _clock(case: Case, events: list[CaseEvent], name: str) -> tuple[str, dt.date | None]:
    for clock in case_clocks(case, events=events):
        if clock.name == name:
            return clock.state, clock.due_on
    return "not_started", None


def _next_step(case: Case, events: list[CaseEvent]) -> str:
    status = case.status
    unit = case.current_org.name

    def due(name: str) -> str:
        _, day = _clock(case, events, name)
        return f"{cn_date(day)}前" if day else ""

    if status == Status.REGISTERED:
        return f"{unit}正在审查，应在{due(Clock.ROUTE)}转送、交办有权处理的机关，或告知您是否受理。"
    if status == Status.ROUTED:
        return f"{unit}应在{due(Clock.ACCEPT)}决定是否受理，并书面告知您。"
    if status == Status.ACCEPTED:
        return f"{unit}正在办理，应在{due(Clock.HANDLE)}出具信访处理意见书。"
    if status == Status.REPLIED:
        return f"{unit}已出具信访处理意见书，正在送达您。"
    if status == Status.DELIVERED:
        return (
            f"您已收到信访处理意见书。如不服，可在{due(Clock.REVIEW_REQUEST)}向上一级机关申请复查；"
            "请对办理情况作出满意度评价。"
        )
    if status == Status.REVIEWING:
        return f"{unit}正在复查，应在{due(Clock.REVIEW_DECIDE)}作出复查意见。"
    if status == Status.REVIEWED:
        return f"复查意见已作出。如不服，可在{due(Clock.REREVIEW_REQUEST)}向复查机关的上一级机关申请复核。"
    if status == Status.REREVIEWING:
        return f"{unit}正在复核，应在{due(Clock.REREVIEW_DECIDE)}作出复核意见。复核意见为最终意见。"
    if status == Status.DECLINED:
        return "本事项不予受理，告知书中写明了理由和应向哪个机关提出。"
    return "本事项已办结。"


def _steps(case: Case, events: list[CaseEvent]) -> list[Step]:
    # An organ's own files (minutes, internal material) are its business; the petitioner's are listed.
    return [
        Step(local_date(e.at), CITIZEN_STEPS[e.kind], e.org.name if e.org else "")
        for e in events
        if e.kind in CITIZEN_STEPS
        and (e.kind != EventKind.ATTACHED or (case.citizen_id is not None and e.actor_id == case.citizen_id))
    ]


def case_view(case: Case, user: User | None) -> CaseView:
    """What the petitioner sees of `case`; `user`: the signed-in account (None for a code lookup)."""
    events = list(case.events.select_related("org").order_by("seq"))
    delivered = case.status in DELIVERED_OR_LATER and any(e.kind == EventKind.DELIVERED for e in events)
    documents = [
        (kind, title)
        for kind, title in available_documents(case, events=events)
        if kind in PETITIONER_KINDS and (kind not in AFTER_DELIVERY or delivered)
    ]
    view = CaseView(
        case=case,
        steps=_steps(case, events),
        next_step=_next_step(case, events),
        due_dates=_clocks(case, events),
        documents=documents,
        reply_delivered=delivered,
        ratings=list(case.ratings.select_related("org").order_by("rated_at")),
    )
    decided = [e for e in events if e.kind in (EventKind.REVIEW_DECIDED, EventKind.REREVIEW_DECIDED)]
    if decided:
        payload = decided[-1].payload or {}
        view.opinion = f"{payload.get('outcome_name', '')}：{payload.get('opinion', '')}"
    own = user is not None and user.is_authenticated and case.citizen_id == user.pk
    view.cosigned = (
        user is not None
        and user.is_authenticated
        and user.is_citizen
        and not own
        and cases_visible_to(user).filter(pk=case.pk).exists()
    )
    if own and delivered:
        state, _ = _clock(case, events, Clock.RATING)
        rated = {r.track for r in view.ratings}
        if state not in ("lapsed", "not_started", "cancelled") and case.status in RATABLE:
            unit = rating_unit(case)
            names = {Rating.Track.BUREAU: case.registered_org.name, Rating.Track.UNIT: unit.name}
            view.ratable_tracks = [
                (track, f"{Rating.Track(track).label}（{names[track]}）")
                for track in Rating.Track.values
                if track not in rated
            ]
    if own:
        window = {
            Status.DELIVERED: ("review", Clock.REVIEW_REQUEST),
            Status.REVIEWED: ("rereview", Clock.REREVIEW_REQUEST),
        }
        if case.status in window:
            kind, clock = window[case.status]
            state, day = _clock(case, events, clock)
            if state == "lapsed":
                view.appeal_lapsed = f"申请期限已于{cn_date(day)}届满，不能再申请。"
            elif state in ("running", "overdue"):
                view.appeal, view.appeal_due = kind, day
    return view


# -- where to send a matter -----------------------------------------------------------------------


def intake_orgs() -> QuerySet[Org]:
    """The organs that take online submissions: active, with a registrar to receive them."""
    return (
        Org.objects.filter(is_active=True, memberships__role=Role.REGISTRAR, memberships__is_active=True)
        .distinct()
        .select_related("region")
        .order_by("path")
    )


def organ_suggestions() -> dict[int, Org]:
    """Region id -> the petition bureau (信访部门) of that region, else of the nearest region above
    it that takes online submissions: it routes the matter on to the organ with authority (第二十二条).
    Two queries, whatever the number of regions (the 写信 page lists them all)."""
    bureaus = {org.region_id: org for org in intake_orgs().filter(kind=OrgKind.PETITION_BUREAU)}
    parents = dict(Region.objects.values_list("pk", "parent_id"))
    out: dict[int, Org] = {}
    for region_id in parents:
        place: int | None = region_id
        while place is not None and place not in bureaus:
            place = parents.get(place)
        if place is not None:
            out[region_id] = bureaus[place]
    return out


def suggested_organ(region: Region | None) -> Org | None:
    return organ_suggestions().get(region.pk) if region is not None else None
