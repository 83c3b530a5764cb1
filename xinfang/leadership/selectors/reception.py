"""Reads of 领导接访日: the schedule each user sees, a day's visits, a leader's next days, the
published schedule for the citizen portal, the check against the rule of each level, and the
counts reports use (接访天数, 接访批次/人次).

A day is shown to its leader, to the staff of the receiving organ and of the leader's organ, and
to the organs above either in the organisation tree; its visits only where the case is visible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_visible, sees_case
from xinfang.core.timeutil import local_date, local_midnight, now
from xinfang.leadership.models import ReceptionDay, ReceptionDayStatus, ReceptionRule, ReceptionVisit
from xinfang.leadership.reception_rules import PERIOD_NAMES, Standing, period_bounds
from xinfang.leadership.selectors import staff_orgs
from xinfang.orgs.models import Membership, Org, OrgKind, Role, User


def _over(orgs: list[Org], field: str) -> Q:
    condition = Q(pk__in=[])
    for org in orgs:
        condition |= Q(**{f"{field}__path__startswith": org.path})
    return condition


def _in_regions(orgs: list[Org]) -> Q:
    condition = Q(pk__in=[])
    for org in orgs:
        condition |= Q(org__region__path__startswith=org.region.path)
    return condition


def reception_days_visible_to(user: User) -> QuerySet[ReceptionDay]:
    if not user.is_authenticated or user.is_citizen:
        return ReceptionDay.objects.none()
    orgs = staff_orgs(user)
    return ReceptionDay.objects.filter(
        Q(leader=user) | _over(orgs, "org") | _over(orgs, "leader_org")
    ).select_related("org", "leader", "leader_org")


def reception_day_detail(user: User, day_id: int) -> ReceptionDay | None:
    return reception_days_visible_to(user).filter(pk=day_id).first()


def day_visits(user: User, day: ReceptionDay) -> QuerySet[ReceptionVisit]:
    return (
        day.visits.filter(sees_case(user, "case_id"))
        .select_related("case", "case__current_org", "recorded_by")
        .order_by("recorded_at", "pk")
    )


def upcoming_days_of(user: User) -> QuerySet[ReceptionDay]:
    """The leader's own scheduled days not yet over, soonest first."""
    return (
        reception_days_visible_to(user)
        .filter(leader=user, status=ReceptionDayStatus.SCHEDULED, ends_at__gte=now())
        .order_by("starts_at")
    )


def published_schedule(*, days: int = 60) -> QuerySet[ReceptionDay]:
    """What the citizen portal shows: published days not cancelled, from today for ``days`` days."""
    start = local_midnight(local_date())
    return (
        ReceptionDay.objects.filter(
            published=True,
            status=ReceptionDayStatus.SCHEDULED,
            ends_at__gte=now(),
            starts_at__lt=start + dt.timedelta(days=days),
        )
        .select_related("org", "leader_org", "leader")
        .order_by("starts_at", "pk")
    )


def case_reception_visits(user: User, case: Case) -> QuerySet[ReceptionVisit]:
    """The reception days a case was brought to (empty if ``user`` may not see the case)."""
    return (
        ReceptionVisit.objects.filter(case__in=case_visible(user, case.pk))
        .select_related("day", "day__leader", "day__org")
        .order_by("recorded_at")
    )


@dataclass(frozen=True)
class LeaderStanding:
    leader: User
    org: Org
    rule: ReceptionRule
    period_name: str
    start: dt.date
    end: dt.date
    standing: Standing


def reception_standings(user: User, *, today: dt.date | None = None) -> list[LeaderStanding]:
    """Each leader of a Party committee / government in the region of one of the user's organs or
    below it (a city bureau checks the city's and the counties' leaders), against the
    rule of the organ's level for the period containing ``today``; those behind first."""
    today = today or local_date()
    rules = {rule.level: rule for rule in ReceptionRule.objects.filter(is_active=True)}
    orgs = staff_orgs(user)
    if not orgs or not rules:
        return []
    posts = (
        Membership.objects.filter(
            role=Role.LEADER,
            is_active=True,
            org__is_active=True,
            org__kind=OrgKind.PARTY_GOVERNMENT,
            org__level__in=list(rules),
        )
        .filter(_in_regions(orgs))
        .select_related("user", "org")
        .order_by("org__path", "user__username")
    )
    found: list[LeaderStanding] = []
    for post in posts:
        rule = rules[post.org.level]
        start, end = period_bounds(rule.period, today)
        days = ReceptionDay.objects.filter(
            leader=post.user,
            leader_org=post.org,
            starts_at__gte=local_midnight(start),
            starts_at__lt=local_midnight(end + dt.timedelta(days=1)),
        )
        counts = dict(days.values_list("status").annotate(n=Count("pk")).order_by())
        standing = Standing(
            held=counts.get(ReceptionDayStatus.HELD, 0),
            scheduled=counts.get(ReceptionDayStatus.SCHEDULED, 0),
            minimum=rule.minimum,
        )
        found.append(
            LeaderStanding(post.user, post.org, rule, PERIOD_NAMES[rule.period], start, end, standing)
        )
    return sorted(found, key=lambda s: (s.standing.on_track, s.standing.met))


@dataclass(frozen=True)
class ReceptionFigures:
    """接访天数 (days held), 接访批次 (matters received), 接访人次 (people received)."""

    days: int
    batches: int
    people: int


def reception_figures(days: QuerySet[ReceptionDay]) -> ReceptionFigures:
    held = days.filter(status=ReceptionDayStatus.HELD)
    visits = ReceptionVisit.objects.filter(day__in=held.order_by().values("pk"))
    totals = visits.aggregate(n=Count("pk"), people=Sum("headcount"))
    return ReceptionFigures(days=held.count(), batches=totals["n"] or 0, people=totals["people"] or 0)
