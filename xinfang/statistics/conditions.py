"""Which cases each figure counts: one condition per key, for the counts and the case lists alike.

A report's counts (`xinfang.statistics.figures.compute_report`) aggregate `CaseFact` rows with
``Count("pk", filter=condition)``; the list of the cases behind a figure (`figure_cases`) filters
`Case` rows with the very same condition. A condition is written once, as a function of a
:class:`Scope` that knows from which model it is queried (the field prefixes), so the two cannot
drift. The choices (territory or work, which day puts a matter in the period, "as of the period
end") are documented in docs/statistics.md, "What a report counts".

Two scopes (see `territory` and `work`):

- **territory** (属地): matters whose 问题属地 lies in the organisation's region, wherever they were
  registered, received (信访日期) in the period: volumes, channels, visits, repeats, categories;
- **work**: matters registered by, or accepted by, the organisation's own organ or an organ under it
  (the `Org.path` prefix): acceptance, closure, timeliness, satisfaction, reviews.

Everything is judged as of the period's last day, so a report on a past period gives the same
figures whatever day it is run (a matter closed after the period end was open at its end).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, Value
from django.db.models.lookups import LessThanOrEqual

from xinfang.cases.expressions import COLLECTIVE
from xinfang.cases.facts import territory_q
from xinfang.cases.models import Channel
from xinfang.core.timeutil import local_midnight
from xinfang.leadership.models import (
    AppointmentStatus,
    FieldVisitKind,
    OwnershipState,
    ReceptionDayStatus,
)
from xinfang.orgs.models import Org
from xinfang.reception.models import MediationOutcome, TalkStatus
from xinfang.statistics.figure import FIGURES, TRACKS, VISIT_PLACE_LEVELS, Kind
from xinfang.statistics.indicators import OneTimeRule
from xinfang.supervision.models import Supervision, SupervisionEvent

__all__ = [
    "CASE_CONDITIONS",
    "LEADERSHIP_COUNTS",
    "RATE_BASES",
    "RECEPTION_COUNTS",
    "SUPERVISION_CONDITIONS",
    "Measure",
    "Scope",
    "case_condition",
]


@dataclass(frozen=True)
class Scope:
    """An organisation and a period, as seen from the queried model.

    `fact`: the prefix from the queried model to the `CaseFact` fields ("" on CaseFact,
    "report_fact__" on Case); `case`: the prefix to the `Case` fields ("case__" on CaseFact);
    `case_pk`: the case's primary key there. `org_ids`: the organs whose path starts with
    `org_path` (the organisation's organ and those under it), read once, so that the work
    conditions compare ids on the fact row instead of joining the organs' table twice.
    """

    region_path: str
    org_path: str
    start: dt.date
    end: dt.date
    org_ids: tuple[int, ...] = ()
    fact: str = ""
    case: str = "case__"
    case_pk: str = "case_id"
    entry_days: int = 1
    one_time: OneTimeRule = field(default_factory=OneTimeRule)

    @classmethod
    def of(cls, org: Org, start: dt.date, end: dt.date) -> Scope:
        """The scope of a report on CaseFact rows, with the installation's settings."""
        return cls(
            region_path=org.region.path,
            org_path=org.path,
            start=start,
            end=end,
            org_ids=tuple(
                Org.objects.filter(path__startswith=org.path).order_by("pk").values_list("pk", flat=True)
            ),
            entry_days=settings.XINFANG_ENTRY_DAYS,
            one_time=OneTimeRule(
                repeat_window_days=settings.XINFANG_ONE_TIME_DAYS,
                count_repeats=settings.XINFANG_ONE_TIME_COUNT_REPEATS,
                count_appeals=settings.XINFANG_ONE_TIME_COUNT_APPEALS,
            ),
        )

    def on_cases(self) -> Scope:
        """The same scope queried from `Case` rows."""
        return replace(self, fact="report_fact__", case="", case_pk="pk")

    def period(self, start: dt.date, end: dt.date) -> Scope:
        return replace(self, start=start, end=end)

    def q(self, **lookups: Any) -> Q:
        """Lookups on CaseFact fields."""
        return Q(**{self.fact + name: value for name, value in lookups.items()})

    def f(self, name: str) -> F:
        return F(self.fact + name)

    def within(self, field: str) -> Q:
        """The fact's date `field` falls in the period."""
        return self.q(**{f"{field}__gte": self.start, f"{field}__lte": self.end})

    def by_end(self, field: str) -> Q:
        """The fact's date `field` is set and not after the period end."""
        return self.q(**{f"{field}__lte": self.end})

    def not_by_end(self, field: str) -> Q:
        """The fact's date `field` is blank or after the period end: the negation of `by_end`
        (Django's negation of a nullable lookup admits the blank rows), so that both are one
        atom when counted (`xinfang.statistics.atoms`)."""
        return ~self.by_end(field)


# --- the scopes ------------------------------------------------------------------------------------


def matter(s: Scope) -> Q:
    """A matter, not a duplicate of one (同一事项 is counted once, on its master case)."""
    return s.q(duplicate_of__isnull=True)


def territory(s: Scope) -> Q:
    """属地: a matter about the organisation's region, received (信访日期) in the period."""
    return s.within("received_on") & territory_q(s.region_path, prefix=s.fact) & matter(s)


def work_organs(s: Scope) -> Q:
    """Registered or accepted (answered) by the organisation's organ or one under it."""
    return _registered_by_organs(s) | s.q(responsible_org_id__in=s.org_ids)


def _registered_by_organs(s: Scope) -> Q:
    return s.q(registered_org_id__in=s.org_ids)


def work(s: Scope) -> Q:
    """The organs' matters received in the period: the base of 受理率 and of 满意度件."""
    return s.within("received_on") & work_organs(s) & matter(s)


# The days on which the work conditions put a matter in a period (`Scope.within`); the territory
# conditions all use `received_on` (`territory`). A new condition on another day adds it here.
WORK_DAYS = (
    "received_on",
    "registered_on",
    "handle_due_on",
    "closed_on",
    "review_requested_on",
    "rereview_requested_on",
    "terminated_on",
)


def reach(scopes: Sequence[Scope]) -> Q:
    """Every row any condition of the scopes may count (the aggregate's WHERE): a matter of the
    territory received in one of the periods, or of the organs with one of its days in one.
    The scopes differ only in their periods; bounding by the span of all of them is enough."""
    s = replace(scopes[0], start=min(x.start for x in scopes), end=max(x.end for x in scopes))
    in_span = Q()
    for day in WORK_DAYS:
        in_span |= s.within(day)
    # The day first: a row of another period fails it without the region's text match.
    return matter(s) & (
        s.within("received_on") & territory_q(s.region_path, prefix=s.fact) | work_organs(s) & in_span
    )


# --- territory conditions --------------------------------------------------------------------------


def _visit(s: Scope) -> Q:
    return s.q(channel=Channel.VISIT.value) & territory(s)


def collective(s: Scope) -> Q:
    """集体访 by the threshold in force (`expressions.COLLECTIVE`, on the fact's channel and people)."""
    return territory(s) & s.q(**COLLECTIVE.lookups())


def _individual(s: Scope) -> Q:
    return _visit(s) & ~s.q(**COLLECTIVE.lookups())


def _visit_level(s: Scope, level: str) -> Q:
    """A visit registered at `level`: an imported case at its outside organ's level (`Case.outside_level`)."""
    return _visit(s) & s.q(visit_level=level)


def _channel(*channels: Channel) -> Callable[[Scope], Q]:
    return lambda s: s.q(channel__in=[c.value for c in channels]) & territory(s)


# --- work conditions -------------------------------------------------------------------------------


def accepted(s: Scope) -> Q:
    """受理: received in the period and accepted (or answered directly) by its end."""
    return work(s) & s.by_end("accepted_on")


def closed(s: Scope) -> Q:
    """办结: of those accepted, closed by the period end (so 办结 is part of 受理)."""
    return accepted(s) & s.by_end("closed_on")


def _due_in_period(s: Scope) -> Q:
    """按期办结率's selection: the handling clock's due day (限办截止时间) falls in the period."""
    return s.within("handle_due_on") & work_organs(s) & matter(s)


def _closure_bucket(bucket: str) -> Callable[[Scope], Q]:
    """`indicators.closure_bucket` as of the period end, on the due day of the handling clock."""

    def condition(s: Scope) -> Q:
        base = _due_in_period(s)
        open_at_end = s.not_by_end("closed_on")
        if bucket == "on_time":
            return base & s.q(closed_on__lte=s.f("handle_due_on"))
        if bucket == "late":
            return base & s.by_end("closed_on") & s.q(closed_on__gt=s.f("handle_due_on"))
        if bucket == "overdue":
            return base & open_at_end & s.q(handle_due_on__lt=s.end)
        return base & open_at_end & s.q(handle_due_on__gte=s.end)  # pending

    return condition


def _overdue(s: Scope) -> Q:
    """超期件数 = 超期办结 + 超期未答复 (`ClosureTally.overdue_count`)."""
    return _closure_bucket("late")(s) | _closure_bucket("overdue")(s)


def _registered(s: Scope) -> Q:
    """录入及时率's base: registered (登记) in the period by the organ or one under it."""
    return s.within("registered_on") & _registered_by_organs(s) & matter(s)


class DaysAfter(Func):
    """The whole days from the date `earlier` to the date `later` (an integer; NULL if either is).

    PostgreSQL subtracts dates into days directly; the portable duration arithmetic multiplies an
    interval by a float on every row, three times the work over a million rows."""

    output_field = IntegerField()
    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def _lag_at_most(later: Any, earlier: Any, days: int) -> Q:
    """`later` is at most `days` days after `earlier` (two dates)."""
    return Q(LessThanOrEqual(DaysAfter(later, earlier), Value(days)))


def _entered_in_time(s: Scope) -> Q:
    """`indicators.entered_in_time`: registered at most `entry_days` after receipt."""
    return _registered(s) & _lag_at_most(s.f("registered_on"), s.f("received_on"), s.entry_days)


# 及时受理率's two tracks: (due day, day met) on the fact row (DOMAIN §4).
_ACCEPT_CLOCKS = {
    "信访部门": ("route_due_on", "accepted_by_bureau_on"),
    "责任单位": ("accept_due_on", "accepted_by_unit_on"),
}


def _acceptance_bucket(track: str, bucket: str) -> Callable[[Scope], Q]:
    """`indicators.acceptance_bucket` as of the period end, for first matters (初件) registered in
    the period whose clock has a due day."""
    due, met = _ACCEPT_CLOCKS[track]

    def condition(s: Scope) -> Q:
        base = (
            s.within("registered_on")
            & work_organs(s)
            & matter(s)
            & s.q(is_repeat=False, **{f"{due}__isnull": False})
        )
        buckets = {
            "on_time": base & s.by_end(met) & s.q(**{f"{met}__lte": s.f(due)}),
            "late": base & s.by_end(met) & s.q(**{f"{met}__gt": s.f(due)}),
            "overdue": base & s.not_by_end(met) & s.q(**{f"{due}__lt": s.end}),
        }
        if bucket == "base":  # the rate's denominator: the matters in a bucket
            return buckets["on_time"] | buckets["late"] | buckets["overdue"]
        return buckets[bucket]

    return condition


def _repeated_in_window(s: Scope) -> Q:
    """A repeat petition (同人同事) of the case received by the period end, within the rule's window
    after its closure: some repeat was received on or before both the period end and the window's
    last day, i.e. the first one was (`CaseFact.first_repeat_on`, no subquery)."""
    first = "first_repeat_on"
    return s.by_end(first) & _lag_at_most(s.f(first), s.f("closed_on"), s.one_time.repeat_window_days)


def _resolved_at_once(s: Scope, *, redo: bool) -> Q:
    """`OneTimeRule.resolved` as of the period end (and, for 一次办结, not sent back: 责令重新办理)."""
    failures = []
    if s.one_time.count_appeals:
        failures.append(s.by_end("review_requested_on"))
    if s.one_time.count_repeats:
        failures.append(_repeated_in_window(s))
    if redo:
        failures.append(s.q(review_outcome="redo"))
    resolved = Q()
    for failure in failures:
        resolved &= ~failure
    return resolved


def _first_time_closed(s: Scope) -> Q:
    """初次信访事项 closed in the period by the organs (一次性化解率's base)."""
    return s.within("closed_on") & work_organs(s) & matter(s) & s.q(is_repeat=False)


def _online_closed(s: Scope) -> Q:
    return s.within("closed_on") & s.q(channel=Channel.ONLINE.value) & work_organs(s) & matter(s)


def _review(field: str, outcome: str | None = None) -> Callable[[Scope], Q]:
    """复查 / 复核 requested in the period on the organs' matters, and those decided `outcome`."""

    def condition(s: Scope) -> Q:
        base = s.within(f"{field}_requested_on") & work_organs(s) & matter(s)
        return base if outcome is None else base & s.q(**{f"{field}_outcome": outcome})

    return condition


def _declined(kind: str) -> Callable[[Scope], Q]:
    return lambda s: s.within("closed_on") & s.q(declined=kind) & work_organs(s) & matter(s)


def _rated(track: str, value: str | None = None) -> Callable[[Scope], Q]:
    """满意度件 rated on `track` by the period end (with `value`)."""
    who = "bureau" if track == "信访部门" else "unit"

    def condition(s: Scope) -> Q:
        rated = accepted(s) & s.by_end(f"{who}_rated_on")
        return rated if value is None else rated & s.q(**{f"{who}_rating": value})

    return condition


def _rating_expired(track: str) -> Callable[[Scope], Q]:
    """超期未评价: unrated at the period end, the rating window closed before it."""
    who = "bureau" if track == "信访部门" else "unit"
    return lambda s: accepted(s) & s.not_by_end(f"{who}_rated_on") & s.q(rating_due_on__lt=s.end)


@dataclass(frozen=True)
class Measure:
    """A counted quantity: the cases of a condition (件次, 批次, 件) or their people (人次)."""

    where: Callable[[Scope], Q]
    persons: bool = False


def _tally(where: Callable[[Scope], Q]) -> tuple[Measure, Measure]:
    return Measure(where), Measure(where, persons=True)


def _case_conditions() -> dict[str, Measure]:
    found: dict[str, Measure] = {}

    def both(prefix: str, count_unit: str, where: Callable[[Scope], Q]) -> None:
        found[f"{prefix}.{count_unit}"], found[f"{prefix}.人次"] = _tally(where)

    both("信访总量", "件次", territory)
    found["来信.件次"] = Measure(_channel(Channel.LETTER))
    found["网上信访.件次"] = Measure(_channel(Channel.ONLINE))
    found["电话.件次"] = Measure(_channel(Channel.PHONE))
    found["其他.件次"] = Measure(_channel(Channel.FAX, Channel.VIDEO))
    both("来访", "批次", _visit)
    both("来访.个访", "批次", _individual)
    both("来访.集体访", "批次", collective)
    both("越级访", "批次", lambda s: _visit(s) & s.q(is_skip_level=True))
    both("逐级访", "批次", lambda s: _visit(s) & s.q(is_skip_level=False))
    both("重复信访", "件次", lambda s: territory(s) & s.q(is_repeat=True))
    found["初信初访.件次"] = Measure(lambda s: territory(s) & s.q(is_repeat=False))
    for place, level in VISIT_PLACE_LEVELS.items():
        for kind, alone in (("个访", True), ("集访", False)):

            def where(s: Scope, level: str = level, alone: bool = alone) -> Q:
                collective = s.q(**COLLECTIVE.lookups())
                return _visit_level(s, level) & (~collective if alone else collective)

            both(f"{place}.{kind}", "批次", where)
    found["受理.件次"] = Measure(accepted)
    found["办结.件次"] = Measure(closed)
    found["超期.件次"] = Measure(_overdue)
    for name, step in (("复查", "review"), ("复核", "rereview")):
        found[f"{name}.件次"] = Measure(_review(step))
        for outcome, label in (("uphold", "维持"), ("revoke", "撤销"), ("change", "变更")):
            found[f"{name}.{label}"] = Measure(_review(step, outcome))
    found["终结.件次"] = Measure(lambda s: s.within("terminated_on") & work_organs(s) & matter(s))
    found["不予受理.件次"] = Measure(_declined("declined"))
    found["不再受理.件次"] = Measure(_declined("refused_again"))
    for track in TRACKS:
        found[f"满意度件.{track}.办结"] = Measure(closed)
        found[f"满意度件.{track}.未办结"] = Measure(lambda s: accepted(s) & s.not_by_end("closed_on"))
        found[f"满意度件.{track}.已评价"] = Measure(_rated(track))
    return found


# Every count of FIGURES that counts cases, by key.
CASE_CONDITIONS: Mapping[str, Measure] = _case_conditions()

# The parts of the rates, by an internal name (not a key of FIGURES).
PARTS: Mapping[str, Measure] = {
    "应受理": Measure(work),
    "按期": Measure(_closure_bucket("on_time")),
    "超期办结": Measure(_closure_bucket("late")),
    "未答复": Measure(_closure_bucket("pending")),
    "超期未答复": Measure(_closure_bucket("overdue")),
    "登记": Measure(_registered),
    "及时录入": Measure(_entered_in_time),
    "初件办结": Measure(_first_time_closed),
    "一次性化解": Measure(lambda s: _first_time_closed(s) & _resolved_at_once(s, redo=False)),
    "网信办结": Measure(_online_closed),
    "网信一次办结": Measure(lambda s: _online_closed(s) & _resolved_at_once(s, redo=True)),
    **{
        f"{track}.{bucket}": Measure(_acceptance_bucket(track, bucket))
        for track in TRACKS
        for bucket in ("on_time", "late", "overdue")
    },
    **{
        f"{track}.{value}": Measure(_rated(track, value))
        for track in TRACKS
        for value in ("satisfied", "basically", "dissatisfied")
    },
    **{f"{track}.超期未评价": Measure(_rating_expired(track)) for track in TRACKS},
}

# The cases behind a rate: those of its base (its denominator, or the caseload it is a share of).
RATE_BASES: Mapping[str, Callable[[Scope], Q]] = {
    "重复率": territory,
    "受理率": work,
    "办结率": accepted,
    "按期办结率": _due_in_period,
    "录入及时率": _registered,
    "网上信访一次办结率": _online_closed,
    "一次性化解率": _first_time_closed,
    **{f"及时受理率.{track}": _acceptance_bucket(track, "base") for track in TRACKS},
    **{
        f"{rate}.{track}": accepted
        for track in TRACKS
        for rate in ("参评率", "满意率", "基本满意率", "不满意率")
    },
}


# --- supervision (督办) ------------------------------------------------------------------------------


def moment_range(field: str, s: Scope) -> Q:
    """A moment on a Beijing calendar day of the period."""
    return Q(
        **{
            f"{field}__gte": local_midnight(s.start),
            f"{field}__lt": local_midnight(s.end + dt.timedelta(days=1)),
        }
    )


def _by_organs(s: Scope) -> Q:
    return Q(opened_by_org__path__startswith=s.org_path)


def _to_organs(s: Scope) -> Q:
    """督办 received: the supervised unit is the organisation's organ or one under it."""
    return Q(unit__path__startswith=s.org_path)


def _letter_due(s: Scope) -> Q:
    """问责建议函: due when the unit let the feedback date pass (the 逾期 step) or the bureau closed
    the supervision recommending accountability (`supervision.letters`), that step in the period."""
    lapsed = SupervisionEvent.objects.filter(
        moment_range("at", s), supervision=OuterRef("pk"), kind=SupervisionEvent.Kind.OVERDUE
    )
    return Q(Exists(lapsed)) | Q(accountability=True) & moment_range("closed_at", s)


# Conditions on Supervision rows: 督办 opened / closed in the period by the organs, and the letters;
# and 督办 received by the organs as the supervised unit (被督办, what a unit's assessment deducts for).
# Xinfang writes a 督办提醒函 for every supervision it opens (supervision.letters).
SUPERVISION_CONDITIONS: Mapping[str, Callable[[Scope], Q]] = {
    "督办.发起": lambda s: _by_organs(s) & moment_range("opened_at", s),
    "督办.办结": lambda s: _by_organs(s) & moment_range("closed_at", s),
    "督办.提醒函": lambda s: _by_organs(s) & moment_range("opened_at", s),
    "督办.问责建议函": lambda s: _by_organs(s) & _letter_due(s),
    "被督办.件数": lambda s: _to_organs(s) & moment_range("opened_at", s),
    "被督办.问责建议函": lambda s: _to_organs(s) & _letter_due(s),
}


# --- the leaders' work (xinfang.leadership, 《信访工作条例》第十八条) ---------------------------


def day_range(field: str, s: Scope) -> Q:
    """A date (`DateField`) on a day of the period."""
    return Q(**{f"{field}__gte": s.start, f"{field}__lte": s.end})


def by_organs(s: Scope, *fields: str) -> Q:
    """The row's organ, any of the foreign keys `fields`, is the organisation's organ or one under
    it (the ids of `Scope.org_ids`: no join of the organs' table)."""
    found = Q()
    for name in fields:
        found |= Q(**{f"{name}_id__in": s.org_ids})
    return found


def reception_days(s: Scope) -> Q:
    """领导接访: on `ReceptionDay` rows, the days held (已接访) whose start fell in the period, where the
    leader's organ or the receiving organ is among the organs (a city leader receiving at a county
    bureau counts for both; a day once)."""
    return (
        Q(status=ReceptionDayStatus.HELD) & moment_range("starts_at", s) & by_organs(s, "org", "leader_org")
    )


def appointments_held(s: Scope) -> Q:
    """约访: on `Appointment` rows, those held (已约见) in the period by the organs."""
    return Q(status=AppointmentStatus.HELD) & moment_range("at", s) & by_organs(s, "org")


def visits_down(s: Scope) -> Q:
    """下访: on `FieldVisit` rows, the organs' visits down on a day of the period (their 天数 summed)."""
    return Q(kind=FieldVisitKind.DOWN) & day_range("on", s) & by_organs(s, "org")


def night_visit_cases(s: Scope) -> Q:
    """夜访: on `FieldVisitCase` rows, the cases pushed for an evening of the period by the organs, or
    to a township among them (the township's staff make the visit)."""
    return (
        Q(visit__kind=FieldVisitKind.NIGHT)
        & day_range("visit__on", s)
        & by_organs(s, "visit__org", "visit__target_org")
    )


def ownerships_taken(s: Scope, prefix: str = "") -> Q:
    """包案: on `Ownership` rows (or through `prefix`), those taken on in the period by a leader of
    the organs (the leader now in charge, after any handover)."""
    return day_range(f"{prefix}started_on", s) & by_organs(s, f"{prefix}org")


def ownership_resolved(s: Scope, prefix: str = "") -> Q:
    """包案化解: the 包案 is 已化解 with its 化解日期 not after the period end."""
    return Q(**{f"{prefix}state": OwnershipState.RESOLVED, f"{prefix}resolved_on__lte": s.end})


def consultations_held(s: Scope) -> Q:
    """会商研判: on `Consultation` rows, the meetings the organs called on a day of the period."""
    return day_range("held_on", s) & by_organs(s, "org")


# The counts of the leaders' work, by key: `figures._count_leadership` counts them (and
# 包案化解率 from two of them), one query per model for every period.
LEADERSHIP_COUNTS = (
    "领导接访.次数",
    "领导接访.批次",
    "领导接访.人次",
    "约访.件次",
    "下访.天次",
    "夜访.件次",
    "包案.件数",
    "包案.领导人次",
    "包案.化解件数",
    "会商研判.次数",
)


# --- the hall and the grass roots (xinfang.reception, 第十八条第三款、第三十一条) ----------------


def joint_receptions(s: Scope) -> Q:
    """联合接访: on `JointReception` rows, those convened in the period at a hall of the organs."""
    return moment_range("convened_at", s) & by_organs(s, "hall__org")


def lawyer_consultations(s: Scope) -> Q:
    """律师参与接访: on `LawyerConsultation` rows, those given in the period at a hall of the organs."""
    return moment_range("at", s) & by_organs(s, "hall__org")


def legal_guidances(s: Scope) -> Q:
    """导入法定途径: on `LegalGuidance` rows, the matters the organs guided into a legal route in the
    period (不予受理 with the route named)."""
    return moment_range("at", s) & by_organs(s, "org")


def talks_received(s: Scope) -> Q:
    """说事: on `Talk` rows, the matters brought in the period to a grass-roots point of the organs
    (a point sits under its township in the tree of organs)."""
    return moment_range("received_at", s) & by_organs(s, "point")


def mediations_started(s: Scope) -> Q:
    """基层调解: on `Mediation` rows, those started on a day of the period at a point of the organs."""
    return day_range("started_on", s) & by_organs(s, "talk__point")


def mediations_agreed(s: Scope) -> Q:
    """基层调解成功: mediations that reached an agreement (达成协议) on a day of the period."""
    return Q(outcome=MediationOutcome.AGREED) & day_range("concluded_on", s) & by_organs(s, "talk__point")


def talks_resolved(s: Scope) -> Q:
    """就地化解: talks resolved on the spot in the period, with the petitioner's confirmation."""
    return Q(status=TalkStatus.RESOLVED) & moment_range("resolved_at", s) & by_organs(s, "point")


def talks_escalated(s: Scope) -> Q:
    """基层上报: talks a point of the organs escalated to the township or county in the period."""
    return Q(escalated_at__isnull=False) & moment_range("escalated_at", s) & by_organs(s, "point")


# The counts of the hall and the grass roots: `figures._count_reception` counts them (and
# 现场化解率 from two of them), one query per model for every period.
RECEPTION_COUNTS = (
    "联合接访.批次",
    "联合接访.现场解决",
    "联合接访.已结束",
    "律师接访.批次",
    "律师接访.人次",
    "法定途径导入.件次",
    "基层说事.件数",
    "基层说事.人次",
    "基层调解.件数",
    "基层调解.成功",
    "基层就地化解.件数",
    "基层上报.件数",
)


def case_condition(key: str, s: Scope) -> Q:
    """The condition of figure `key` on `Case` rows (`s` seen from Case): a count's cases, a rate's
    base, or the cases of the supervisions counted. KeyError for a figure that counts no cases."""
    on_cases = s.on_cases()
    if key in CASE_CONDITIONS:
        return CASE_CONDITIONS[key].where(on_cases)
    if key in RATE_BASES:
        return RATE_BASES[key](on_cases)
    if key in SUPERVISION_CONDITIONS:
        supervisions = Supervision.objects.filter(SUPERVISION_CONDITIONS[key](s), case=OuterRef("pk"))
        return Q(Exists(supervisions))
    if key == "每万人信访量":
        return territory(on_cases)
    raise KeyError(f"{key}: not a figure over cases")


def _check_vocabulary() -> None:
    """Every count of FIGURES has a condition (or is counted elsewhere: alerts, the leaders' work)."""
    counted = {
        *CASE_CONDITIONS,
        *SUPERVISION_CONDITIONS,
        *LEADERSHIP_COUNTS,
        *RECEPTION_COUNTS,
        "类案预警.发出",
        "类案预警.已研判",
        "领导批示",
    }
    missing = {k for k, term in FIGURES.items() if term.kind is Kind.COUNT} - counted
    if missing:
        raise ImportError(f"figures without a condition: {sorted(missing)}")


_check_vocabulary()


_PROBE = Scope(
    region_path="/probe-territory/",
    org_path="/probe-work/",
    start=dt.date(2000, 1, 1),
    end=dt.date(2000, 1, 1),
)


def has_cases(key: str) -> bool:
    """Whether figure `key` has a list of cases behind it (`case_condition` answers for it)."""
    try:
        case_condition(key, _PROBE)
    except KeyError:
        return False
    return True


def territorial(key: str) -> bool:
    """Whether figure `key` counts by 问题属地 (the organisation's region) rather than by its organs'
    work: its condition reads the region's path. A functional department shares its city's region,
    so such a figure of a department is its whole city's (what an assessment scheme must not score)."""
    if not has_cases(key):
        return False
    return _PROBE.region_path in str(case_condition(key, _PROBE))
