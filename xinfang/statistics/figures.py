"""Every figure of a work report for an organisation and a period, counted in the database.

`compute_report` counts the `CaseFact` rows (never the event log) with one aggregate query for
both periods, whose conditional counts are the conditions of `xinfang.statistics.conditions`; it
adds the supervision, alert and instruction counts, the leaders' work (reception days, 约访, 下访,
包案, 会商研判: one query per model), the population, and the breakdowns (one grouped query
each). The rates, shares, densities and changes are the formulas of
`xinfang.statistics.indicators`, applied to those counts. `figure_cases` lists the cases behind a
figure under the access policy, with the same condition as its count.

What each figure counts (territory or work, the day that puts a matter in the period, "as of the
period end"): docs/statistics.md, "What a report counts".
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from xinfang.cases.facts import territory_q
from xinfang.cases.models import Case, CaseFact, Channel, ContentCategory, FactTally, Instruction
from xinfang.cases.selectors import cases_visible_to
from xinfang.core.dbrouting import replica_reads
from xinfang.core.timeutil import local_date
from xinfang.leadership.models import (
    Appointment,
    Consultation,
    FieldVisit,
    FieldVisitCase,
    Ownership,
    OwnershipEvent,
    ReceptionDay,
)
from xinfang.orgs.models import Org, Region, RegionPopulation, User
from xinfang.reception.models import (
    JointOutcome,
    JointReception,
    LawyerConsultation,
    LegalGuidance,
    Mediation,
    Talk,
)
from xinfang.statistics import conditions
from xinfang.statistics.atoms import grouped_counts, grouped_counts_by, grouping_sets
from xinfang.statistics.conditions import CASE_CONDITIONS, PARTS, SUPERVISION_CONDITIONS, Scope
from xinfang.statistics.figure import FIGURES, TRACKS, Figure, Report, Row, Value
from xinfang.statistics.indicators import (
    AcceptanceTally,
    ClosureTally,
    Comparison,
    SatisfactionCaseload,
    SatisfactionTally,
    acceptance_rate,
    closure_rate,
    comparison_period,
    entry_timeliness_rate,
    on_spot_resolution_rate,
    one_time_resolution_rate,
    online_once_closed_rate,
    ownership_resolution_rate,
    per_ten_thousand,
    repeat_rate,
)
from xinfang.supervision.models import Supervision
from xinfang.textintel.models import AlertReview, ClusterAlert

__all__ = ["compute_report", "figure_cases"]

# The figures a breakdown's rows carry.
ROW_KEYS = ("信访总量.件次", "信访总量.人次", "来访.集体访.批次", "来访.集体访.人次")
ZEROS = (0,) * len(ROW_KEYS)
OWN_REGION = "本级"  # the row of matters about the organisation's own region, not one below it


def compute_report(
    *, org: Org, start: dt.date, end: dt.date, comparison: Comparison | None, breakdowns: bool = True
) -> Report:
    """Every key of `FIGURES` for `org` from `start` to `end` (inclusive), and the breakdowns;
    with `comparison`, each figure against the comparison period (同比 / 环比). Without
    `breakdowns` the report has the figures only (an assessment reads a report per unit and
    needs no table of categories or months: about a third less work)."""
    if end < start:
        raise ValueError("the period ends before it starts")
    # The figures are read from the replica where there is one (xinfang.core.dbrouting).
    with replica_reads() as alias:
        return _compute(org=org, start=start, end=end, comparison=comparison, alias=alias, tables=breakdowns)


def _compute(
    *, org: Org, start: dt.date, end: dt.date, comparison: Comparison | None, alias: str, tables: bool
) -> Report:
    org = Org.objects.select_related("region").get(pk=org.pk)
    scopes = [Scope.of(org, start, end)]
    compare: tuple[dt.date, dt.date] | None = None
    if comparison is not None:
        compare = comparison_period(start, end, comparison)
        scopes.append(scopes[0].period(*compare))
    with transaction.atomic(using=alias), _grouping_memory(alias):
        if tables:
            counted, categories, places = _count(scopes)
        else:
            counted = _count_cases(scopes)
        supervised = _count_supervisions(scopes)
        elsewhere = [
            {**counts, **instructed, **leaders, **hall}
            for counts, instructed, leaders, hall in zip(
                _count_alerts(scopes),
                _count_instructions(scopes),
                _count_leadership(scopes),
                _count_reception(scopes),
                strict=True,
            )
        ]
        breakdowns = _breakdowns(org, scopes, categories, places) if tables else {}
    values = [
        _values(counted[i], supervised[i], elsewhere[i], _population(org.region, scope.end))
        for i, scope in enumerate(scopes)
    ]
    previous = values[1] if len(values) > 1 else {}
    figures = {key: Figure(key, values[0][key], previous.get(key)) for key in FIGURES}
    return Report(
        org_name=org.name,
        start=start,
        end=end,
        comparison=comparison,
        compare_start=compare[0] if compare else None,
        compare_end=compare[1] if compare else None,
        figures=figures,
        breakdowns=breakdowns,
    )


@contextlib.contextmanager
def _grouping_memory(alias: str) -> Iterator[None]:
    """On PostgreSQL, room for the report's groupings to hash (XINFANG_REPORT_WORK_MEM_MB) for the
    rest of the transaction: with the default 4 MB the planner, which cannot tell that a few
    thousand groups come out of a million rows, sorts them instead."""
    if connections[alias].vendor == "postgresql":
        with connections[alias].cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{int(settings.XINFANG_REPORT_WORK_MEM_MB)}MB'")
    yield


def figure_cases(user: User, *, org: Org, key: str, start: dt.date, end: dt.date) -> QuerySet[Case]:
    """The cases behind figure `key` that `user` may see: a count's cases, a rate's base.

    The condition is the count's own (`conditions.case_condition`), so the list of a count has
    exactly as many cases as the figure when the user sees them all. KeyError for a figure that
    counts no cases (类案预警)."""
    org = Org.objects.select_related("region").get(pk=org.pk)
    return cases_visible_to(user).filter(conditions.case_condition(key, Scope.of(org, start, end)))


# --- counting --------------------------------------------------------------------------------------


def _case_measures(scope: Scope) -> dict[str, tuple[Q, bool]]:
    """Every case count and rate part of a scope: its condition, and whether it counts people."""
    measures = {**CASE_CONDITIONS, **{f"part:{name}": m for name, m in PARTS.items()}}
    return {name: (m.where(scope), m.persons) for name, m in measures.items()}


def _count_cases(scopes: Sequence[Scope]) -> list[dict[str, int]]:
    """Every case count and rate part for each scope: one grouped query per scope over the rows
    its period may count only (`conditions.reach`), the conditions evaluated on the groups of
    their atoms (`xinfang.statistics.atoms`) rather than each tested on every row."""
    return [
        grouped_counts(CaseFact.objects.filter(conditions.reach([scope])), _case_measures(scope))
        for scope in scopes
    ]


# The breakdowns' groupings: categories with units, and months with regions and channels.
CATEGORY_FIELDS = ("category_l1", "category_l2", "responsible_org_id")
PLACE_FIELDS = ("month", "problem_region_path", "problem_region_id", "channel")


def _month() -> TruncMonth:
    return TruncMonth("received_on")


def _count(scopes: Sequence[Scope]) -> tuple[list[dict[str, int]], Groups, Groups]:
    """The case counts of each scope (one grouped query each) and the breakdowns' groups, from
    the monthly tallies and the days around their months (`_tallied`). Only a collective-visit
    threshold the tallies cannot tell groups the fact rows whole: on PostgreSQL in the scan of the
    counts (GROUP BY GROUPING SETS: `_count_in_one_scan`), elsewhere one query per grouping over
    both periods. The same figures every way (test_atoms checks it)."""
    if _tallies_apply(scopes):
        return (_count_cases(scopes), *_tallied(scopes))
    if connection.vendor == "postgresql":
        return _count_in_one_scan(scopes)
    return (
        _count_cases(scopes),
        _grouped(scopes, CATEGORY_FIELDS),
        _grouped(scopes, PLACE_FIELDS, month=_month()),
    )


def _tallies_apply(scopes: Sequence[Scope]) -> bool:
    """Whether the breakdowns can be read from the monthly tallies (`FactTally`): when 集体访's
    threshold is one the tallies tell (two people or more, as the setting requires)."""
    return settings.XINFANG_COLLECTIVE_THRESHOLD >= 2


def _whole_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and the last day of the whole months from `start` to `end`, if there is one."""
    first = start if start.day == 1 else (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    last = end if (end + dt.timedelta(days=1)).day == 1 else end.replace(day=1) - dt.timedelta(days=1)
    return (first, last) if first <= last else None


def _tallied(scopes: Sequence[Scope]) -> tuple[Groups, Groups]:
    """The breakdowns' groups (those of `_grouped`): the whole months of each period from the
    monthly tallies (a few tens of thousands of summed rows instead of every fact row of the
    territory, one query per grouping), the days before and after them (本年 up to today, say)
    from the fact rows of those days (`_grouped`: an index range of a few days)."""
    sums: dict[str, Sum] = {}
    edges: list[tuple[int, Scope]] = []  # the days outside whole months, with their period
    spans = []
    for i, scope in enumerate(scopes):
        months = _whole_months(scope.start, scope.end)
        if months is None:  # days of one or two months only: all from the fact rows
            edges.append((i, scope))
            continue
        spans.append(months)
        period = Q(month__gte=months[0], month__lte=months[1])
        if scope.start < months[0]:
            edges.append((i, scope.period(scope.start, months[0] - dt.timedelta(days=1))))
        if months[1] < scope.end:
            edges.append((i, scope.period(months[1] + dt.timedelta(days=1), scope.end)))
        collective = period & Q(
            channel=Channel.VISIT.value, visit_people__gte=settings.XINFANG_COLLECTIVE_THRESHOLD
        )
        sums[f"{i}n"] = Sum("cases", filter=period)
        sums[f"{i}p"] = Sum("people", filter=period)
        sums[f"{i}c"] = Sum("cases", filter=collective)
        sums[f"{i}q"] = Sum("people", filter=collective)

    def grouped(fields: tuple[str, ...], **annotations: Any) -> Groups:
        # A month as a date whatever the database returns, so that tallied and scanned rows meet.
        months = fields.index("month") if "month" in fields else None

        def key_of(values: tuple[Any, ...]) -> tuple[Any, ...]:
            if months is None:
                return values
            return (*values[:months], _month_key(values[months]), *values[months + 1 :])

        groups: Groups = {}
        if spans:
            span = territory_q(scopes[0].region_path) & Q(
                month__gte=min(s for s, _ in spans), month__lte=max(e for _, e in spans)
            )
            for row in FactTally.objects.filter(span).values(*fields).annotate(**sums).order_by():
                tallies = [
                    tuple(row.get(f"{i}{letter}") or 0 for letter in "npcq") for i in range(len(scopes))
                ]
                if any(any(t) for t in tallies):  # a key whose changes cancelled out is no row
                    groups[key_of(tuple(row[f] for f in fields))] = tallies
        if edges:
            for key, found in _grouped([edge for _, edge in edges], fields, **annotations).items():
                into = groups.setdefault(key_of(key), [ZEROS] * len(scopes))
                for (i, _), tallies in zip(edges, found, strict=True):
                    into[i] = tuple(a + b for a, b in zip(into[i], tallies, strict=True))
        return groups

    return grouped(CATEGORY_FIELDS), grouped(PLACE_FIELDS, month=_month())


def _count_in_one_scan(scopes: Sequence[Scope]) -> tuple[list[dict[str, int]], Groups, Groups]:
    counted: list[dict[str, int]] = []
    categories: Groups = {}
    places: Groups = {}
    for i, scope in enumerate(scopes):
        everything, collective = conditions.territory(scope), conditions.collective(scope)
        tallies = {
            "n": (everything, False),
            "p": (everything, True),
            "c": (collective, False),
            "q": (collective, True),
        }
        measures = _case_measures(scope)
        totals, by_category, by_place = grouping_sets(
            CaseFact.objects.filter(conditions.reach([scope])),
            [((), measures), (CATEGORY_FIELDS, tallies), (PLACE_FIELDS, tallies)],
            month=_month(),
        )
        counted.append(totals.get((), dict.fromkeys(measures, 0)))  # no row: every count is zero
        for groups, found in ((categories, by_category), (places, by_place)):
            for key, values in found.items():
                row = tuple(values[letter] for letter in "npcq")
                if any(row):  # the period's rows outside the territory count in no breakdown
                    groups.setdefault(key, [ZEROS] * len(scopes))[i] = row
    return counted, categories, places


def _count_supervisions(scopes: Sequence[Scope]) -> list[dict[str, int]]:
    """督办 and its letters for each scope: one query."""
    aggregates = {
        f"s{n}_{i}": Count("pk", filter=where(scope))
        for i, scope in enumerate(scopes)
        for n, where in enumerate(SUPERVISION_CONDITIONS.values())
    }
    path = scopes[0].org_path
    row = Supervision.objects.filter(
        Q(opened_by_org__path__startswith=path) | Q(unit__path__startswith=path)
    ).aggregate(**aggregates)
    return [
        {key: row[f"s{n}_{i}"] for n, key in enumerate(SUPERVISION_CONDITIONS)} for i in range(len(scopes))
    ]


def _in_period(moment: dt.datetime | None, scope: Scope) -> bool:
    return moment is not None and scope.start <= local_date(moment) <= scope.end


def _count_alerts(scopes: Sequence[Scope]) -> list[dict[str, int]]:
    """类案预警 raised in the period about the territory (at least one of its cases is), and those
    an organ of the organisation reviewed (研判) in the period: three queries at most.

    An alert remembers its first and its latest raising: it counts in a period in which either
    fell. Its territory is read from its cases' fact rows."""
    raised = Q()
    for scope in scopes:
        raised |= conditions.moment_range("first_raised_at", scope) | conditions.moment_range(
            "last_raised_at", scope
        )
    alerts = list(
        ClusterAlert.objects.filter(raised).values_list("first_raised_at", "last_raised_at", "case_ids")
    )
    wanted = {pk for *_, ids in alerts for pk in ids}
    ours: set[int] = set()
    if wanted:
        ours = set(
            CaseFact.objects.filter(
                territory_q(scopes[0].region_path), case_id__in=wanted, duplicate_of__isnull=True
            ).values_list("case_id", flat=True)
        )
    reviewed = AlertReview.objects.filter(org__path__startswith=scopes[0].org_path).aggregate(
        **{
            f"r{i}": Count("alert", distinct=True, filter=conditions.moment_range("reviewed_at", scope))
            for i, scope in enumerate(scopes)
        }
    )
    return [
        {
            "类案预警.发出": sum(
                1
                for first, last, ids in alerts
                if (_in_period(first, scope) or _in_period(last, scope)) and ours.intersection(ids)
            ),
            "类案预警.已研判": reviewed[f"r{i}"],
        }
        for i, scope in enumerate(scopes)
    ]


def _count_instructions(scopes: Sequence[Scope]) -> list[dict[str, int]]:
    """领导批示: the 批示 that leaders of the organs (the organisation and those under it) wrote in
    the period ("主要领导对信访工作作出具体批示 N 次"): one query."""
    row = Instruction.objects.filter(
        leader_org__path__startswith=scopes[0].org_path, instructed_at__isnull=False
    ).aggregate(
        **{
            f"i{i}": Count("pk", filter=conditions.moment_range("instructed_at", scope))
            for i, scope in enumerate(scopes)
        }
    )
    return [{"领导批示": row[f"i{i}"]} for i in range(len(scopes))]


def _count_leadership(scopes: Sequence[Scope]) -> list[dict[str, int]]:
    """The leaders' work (`conditions.LEADERSHIP_COUNTS`): 领导接访 (days, the visits received and
    their people), 约访, 下访 (天次) and 夜访, 包案 (cases, leaders, cases resolved) and 会商研判, for
    each scope: one query per model, over the span of the periods."""
    span = scopes[0].period(min(s.start for s in scopes), max(s.end for s in scopes))
    periods = list(enumerate(scopes))
    days = ReceptionDay.objects.filter(conditions.reception_days(span)).aggregate(
        **{
            name: aggregate
            for i, scope in periods
            for name, aggregate in (
                # The join to the visits repeats a day per visit: the days are counted distinct.
                (f"d{i}", Count("pk", distinct=True, filter=conditions.reception_days(scope))),
                (f"b{i}", Count("visits", filter=conditions.reception_days(scope))),
                (f"p{i}", Sum("visits__headcount", filter=conditions.reception_days(scope))),
            )
        }
    )
    appointments = Appointment.objects.filter(conditions.appointments_held(span)).aggregate(
        **{f"a{i}": Count("pk", filter=conditions.appointments_held(scope)) for i, scope in periods}
    )
    down = FieldVisit.objects.filter(conditions.visits_down(span)).aggregate(
        **{f"t{i}": Sum("days", filter=conditions.visits_down(scope)) for i, scope in periods}
    )
    night = FieldVisitCase.objects.filter(conditions.night_visit_cases(span)).aggregate(
        **{f"n{i}": Count("pk", filter=conditions.night_visit_cases(scope)) for i, scope in periods}
    )
    # A case in two 包案 of the period (one resolved, then a new one) is one case of each count.
    owned_cases = Ownership.cases.through.objects.filter(
        conditions.ownerships_taken(span, "ownership__")
    ).aggregate(
        **{
            name: aggregate
            for i, scope in periods
            for name, aggregate in (
                (
                    f"c{i}",
                    Count("case", distinct=True, filter=conditions.ownerships_taken(scope, "ownership__")),
                ),
                (
                    f"r{i}",
                    Count(
                        "case",
                        distinct=True,
                        filter=conditions.ownerships_taken(scope, "ownership__")
                        & conditions.ownership_resolved(scope, "ownership__"),
                    ),
                ),
            )
        }
    )
    # 包案领导人次: each 包案 once (its leader), and each handover in the period to another leader.
    leaders = Ownership.objects.filter(conditions.ownerships_taken(span)).aggregate(
        **{
            name: aggregate
            for i, scope in periods
            for name, aggregate in (
                (f"o{i}", Count("pk", distinct=True, filter=conditions.ownerships_taken(scope))),
                (
                    f"h{i}",
                    Count(
                        "events",
                        filter=conditions.ownerships_taken(scope)
                        & Q(events__kind=OwnershipEvent.Kind.HANDOVER)
                        & conditions.moment_range("events__at", scope),
                    ),
                ),
            )
        }
    )
    meetings = Consultation.objects.filter(conditions.consultations_held(span)).aggregate(
        **{f"m{i}": Count("pk", filter=conditions.consultations_held(scope)) for i, scope in periods}
    )
    return [
        {
            "领导接访.次数": days[f"d{i}"],
            "领导接访.批次": days[f"b{i}"],
            "领导接访.人次": days[f"p{i}"] or 0,
            "约访.件次": appointments[f"a{i}"],
            "下访.天次": down[f"t{i}"] or 0,
            "夜访.件次": night[f"n{i}"],
            "包案.件数": owned_cases[f"c{i}"],
            "包案.领导人次": leaders[f"o{i}"] + leaders[f"h{i}"],
            "包案.化解件数": owned_cases[f"r{i}"],
            "会商研判.次数": meetings[f"m{i}"],
        }
        for i, _ in periods
    ]


def _count_reception(scopes: Sequence[Scope]) -> list[dict[str, int]]:
    """The hall and the grass roots (`conditions.RECEPTION_COUNTS`): 联合接访 (批次, 现场解决 and the
    concluded ones for 现场化解率), 律师接访 (批次, 人次), 导入法定途径, and at the grass-roots points 说事
    (件, 人次), 调解 (started, agreed), 就地化解 and 上报, for each scope: one query per model, over the
    span of the periods."""
    span = scopes[0].period(min(s.start for s in scopes), max(s.end for s in scopes))
    periods = list(enumerate(scopes))
    concluded = ~Q(outcome=JointOutcome.PENDING)
    joint = JointReception.objects.filter(conditions.joint_receptions(span)).aggregate(
        **{
            name: aggregate
            for i, scope in periods
            for name, aggregate in (
                (f"j{i}", Count("pk", filter=conditions.joint_receptions(scope))),
                (f"c{i}", Count("pk", filter=conditions.joint_receptions(scope) & concluded)),
                (
                    f"o{i}",
                    Count("pk", filter=conditions.joint_receptions(scope) & Q(outcome=JointOutcome.ON_SPOT)),
                ),
            )
        }
    )
    lawyers = LawyerConsultation.objects.filter(conditions.lawyer_consultations(span)).aggregate(
        **{
            name: aggregate
            for i, scope in periods
            for name, aggregate in (
                (f"b{i}", Count("pk", filter=conditions.lawyer_consultations(scope))),
                (f"p{i}", Sum("persons", filter=conditions.lawyer_consultations(scope))),
            )
        }
    )
    guided = LegalGuidance.objects.filter(conditions.legal_guidances(span)).aggregate(
        **{f"g{i}": Count("pk", filter=conditions.legal_guidances(scope)) for i, scope in periods}
    )
    # A talk of the span in any of its steps: received, resolved or escalated within it.
    talk_steps = (conditions.talks_received, conditions.talks_resolved, conditions.talks_escalated)
    talks = Talk.objects.filter(
        conditions.talks_received(span) | conditions.talks_resolved(span) | conditions.talks_escalated(span)
    ).aggregate(
        **{
            name: aggregate
            for i, scope in periods
            for name, aggregate in (
                (f"t{i}", Count("pk", filter=talk_steps[0](scope))),
                (f"h{i}", Sum("headcount", filter=talk_steps[0](scope))),
                (f"r{i}", Count("pk", filter=talk_steps[1](scope))),
                (f"e{i}", Count("pk", filter=talk_steps[2](scope))),
            )
        }
    )
    mediations = Mediation.objects.filter(
        conditions.mediations_started(span) | conditions.mediations_agreed(span)
    ).aggregate(
        **{
            name: aggregate
            for i, scope in periods
            for name, aggregate in (
                (f"m{i}", Count("pk", filter=conditions.mediations_started(scope))),
                (f"a{i}", Count("pk", filter=conditions.mediations_agreed(scope))),
            )
        }
    )
    return [
        {
            "联合接访.批次": joint[f"j{i}"],
            "联合接访.现场解决": joint[f"o{i}"],
            "联合接访.已结束": joint[f"c{i}"],
            "律师接访.批次": lawyers[f"b{i}"],
            "律师接访.人次": lawyers[f"p{i}"] or 0,
            "法定途径导入.件次": guided[f"g{i}"],
            "基层说事.件数": talks[f"t{i}"],
            "基层说事.人次": talks[f"h{i}"] or 0,
            "基层调解.件数": mediations[f"m{i}"],
            "基层调解.成功": mediations[f"a{i}"],
            "基层就地化解.件数": talks[f"r{i}"],
            "基层上报.件数": talks[f"e{i}"],
        }
        for i, _ in periods
    ]


def _population(region: Region, end: dt.date) -> int | None:
    """The region's latest recorded population of a year not after the period's end."""
    return (
        RegionPopulation.objects.filter(region=region, year__lte=end.year)
        .order_by("-year")
        .values_list("population", flat=True)
        .first()
    )


# --- from counts to figures ------------------------------------------------------------------------


def _values(
    counts: Mapping[str, int],
    supervised: Mapping[str, int],
    elsewhere: Mapping[str, int],
    population: int | None,
) -> dict[str, Value]:
    """Every figure of one period from its counts, through the formulas of `indicators`
    (`elsewhere`: the counts of other rows than cases: alerts, instructions, the leaders' work)."""

    def part(name: str) -> int:
        return counts[f"part:{name}"]

    values: dict[str, Value] = {key: counts[key] for key in CASE_CONDITIONS}
    values.update(supervised)
    values.update(elsewhere)
    total = counts["信访总量.件次"]
    closure = ClosureTally(part("按期"), part("超期办结"), part("未答复"), part("超期未答复"))
    values.update(
        {
            "重复率": repeat_rate(counts["重复信访.件次"], total),
            "受理率": acceptance_rate(counts["受理.件次"], part("应受理")),
            "办结率": closure_rate(counts["办结.件次"], counts["受理.件次"]),
            "按期办结率": closure.on_time_rate,
            "超期.件次": closure.overdue_count,
            "录入及时率": entry_timeliness_rate(part("及时录入"), part("登记")),
            "网上信访一次办结率": online_once_closed_rate(part("网信一次办结"), part("网信办结")),
            "一次性化解率": one_time_resolution_rate(part("一次性化解"), part("初件办结")),
            "每万人信访量": per_ten_thousand(total, population),
            "包案化解率": ownership_resolution_rate(elsewhere["包案.化解件数"], elsewhere["包案.件数"]),
            "现场化解率": on_spot_resolution_rate(
                elsewhere["联合接访.现场解决"], elsewhere["联合接访.已结束"]
            ),
        }
    )
    for track in TRACKS:
        timely = AcceptanceTally(part(f"{track}.on_time"), part(f"{track}.late"), part(f"{track}.overdue"))
        values[f"及时受理率.{track}"] = timely.timely_rate
        caseload = SatisfactionCaseload(
            total=counts["受理.件次"],
            closed=counts[f"满意度件.{track}.办结"],
            rated=counts[f"满意度件.{track}.已评价"],
        )
        values[f"满意度件.{track}.办结"] = caseload.closed
        values[f"满意度件.{track}.未办结"] = caseload.open
        values[f"满意度件.{track}.已评价"] = caseload.rated
        ratings = SatisfactionTally(
            satisfied=part(f"{track}.satisfied"),
            basically_satisfied=part(f"{track}.basically"),
            dissatisfied=part(f"{track}.dissatisfied"),
            expired=part(f"{track}.超期未评价"),
        )
        if settings.XINFANG_UNRATED_DEEMED_SATISFIED:
            ratings = ratings.deemed_satisfied()
        values[f"参评率.{track}"] = ratings.participation_rate
        values[f"满意率.{track}"] = ratings.satisfaction_rate
        values[f"基本满意率.{track}"] = ratings.basically_satisfied_share
        values[f"不满意率.{track}"] = ratings.dissatisfied_share
    return values


# --- breakdowns ------------------------------------------------------------------------------------


Tallies = tuple[int, ...]  # the values of ROW_KEYS, in order


Groups = dict[tuple[Any, ...], list[Tallies]]


def _grouped(scopes: Sequence[Scope], fields: tuple[str, ...], **annotations: Any) -> Groups:
    """The territory's ROW_KEYS per combination of values of `fields`, for each scope: one
    grouped query (`atoms.grouped_counts_by`), which `_by` rolls up into the breakdown by any one
    of the fields (one query for several breakdowns: each scan of the territory's rows costs the
    same)."""
    periods = Q()
    measures: dict[str, tuple[Q, bool]] = {}
    for i, scope in enumerate(scopes):
        periods |= conditions.territory(scope)
        everything, collective = conditions.territory(scope), conditions.collective(scope)
        measures.update(
            {
                f"{i}n": (everything, False),
                f"{i}p": (everything, True),
                f"{i}c": (collective, False),
                f"{i}q": (collective, True),
            }
        )
    counted = grouped_counts_by(CaseFact.objects.filter(periods), measures, by=fields, **annotations)
    return {
        key: [tuple(values[f"{i}{letter}"] for letter in "npcq") for i in range(len(scopes))]
        for key, values in counted.items()
    }


def _by(groups: Groups, index: int) -> dict[Any, list[Tallies]]:
    """The sums of `groups` per value of their `index`-th field (a blank value is no row)."""
    sums: dict[Any, list[list[int]]] = {}
    for key, tallies in groups.items():
        value = key[index]
        if value in (None, ""):
            continue
        into = sums.setdefault(value, [[0] * len(ROW_KEYS) for _ in tallies])
        for i, period in enumerate(tallies):
            for n, number in enumerate(period):
                into[i][n] += number
    return {value: [tuple(period) for period in periods] for value, periods in sums.items()}


def _row(code: str, label: str, tallies: Sequence[Tallies] | None, periods: int) -> Row:
    now = tallies[0] if tallies else ZEROS
    before = (tallies[1] if tallies else ZEROS) if periods > 1 else None
    return Row(
        code,
        label,
        {key: Figure(key, now[n], None if before is None else before[n]) for n, key in enumerate(ROW_KEYS)},
    )


def _largest_first(rows: Iterable[Row]) -> tuple[Row, ...]:
    return tuple(sorted(rows, key=lambda r: (-_current(r), r.code)))


def _current(row: Row) -> int:
    value = row.figures[ROW_KEYS[0]].current
    return value if isinstance(value, int) else 0


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def _month_key(value: dt.date | dt.datetime | str) -> dt.date:
    """A truncated month as the database returns it (a date on PostgreSQL, a text on SQLite)."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value


def _breakdowns(
    org: Org, scopes: Sequence[Scope], categories: Groups, places: Groups
) -> dict[str, tuple[Row, ...]]:
    """Every breakdown, from the groups by category and responsible unit, and by month / region /
    channel (`_count`)."""
    periods = len(scopes)
    result: dict[str, tuple[Row, ...]] = {}
    level1, level2 = _by(categories, 0), _by(categories, 1)
    names = dict(ContentCategory.objects.filter(code__in=[*level1, *level2]).values_list("code", "name"))
    result["内容分类"] = _largest_first(_row(c, names.get(c, c), t, periods) for c, t in level1.items())
    result["内容分类二级"] = _largest_first(_row(c, names.get(c, c), t, periods) for c, t in level2.items())

    by_month = {_month_key(k): v for k, v in _by(places, 0).items()}
    months = [_months(scope.start, scope.end) for scope in scopes]
    rows = []
    for n, month in enumerate(months[0]):
        now = by_month.get(month, [ZEROS] * periods)[0]
        tallies = [now]
        if periods > 1:  # the comparison period's month in the same place, when it has one
            other = months[1][n] if n < len(months[1]) else None
            tallies.append(by_month.get(other, [ZEROS] * periods)[1] if other else ZEROS)
        rows.append(_row(month.strftime("%Y-%m"), f"{month.year}年{month.month}月", tallies, periods))
    result["月度"] = tuple(rows)

    result["问题属地"] = _regions(org, periods, _by(places, 1), _by(places, 2))

    units = _by(categories, 2)
    unit_names = dict(Org.objects.filter(pk__in=list(units)).values_list("pk", "name"))
    result["责任单位"] = _largest_first(
        _row(str(pk), unit_names.get(pk, str(pk)), t, periods) for pk, t in units.items()
    )
    channels = _by(places, 3)
    result["信访形式"] = _largest_first(
        _row(c, str(Channel(c).label), t, periods) for c, t in channels.items() if c in Channel.values
    )
    return result


def _regions(
    org: Org, periods: int, by_path: Mapping[str, list[Tallies]], by_region: Mapping[int, list[Tallies]]
) -> tuple[Row, ...]:
    """The territory per region one level below the organisation's (and its own region's matters
    about no region below it, as 本级), from the territory's counts per problem region."""
    region = org.region
    children = list(
        Region.objects.filter(parent=region).order_by("path").values_list("pk", "code", "name", "path")
    )

    def total(path: str) -> list[Tallies]:
        inside = [tallies for p, tallies in by_path.items() if p.startswith(path)]
        return [tuple(sum(t[i][n] for t in inside) for n in range(len(ROW_KEYS))) for i in range(periods)]

    rows = [_row(code, label, total(path), periods) for _, code, label, path in children]
    own = _row(region.code, OWN_REGION, by_region.get(region.pk), periods)
    return (*_largest_first(rows), *([own] if _current(own) or not children else []))
