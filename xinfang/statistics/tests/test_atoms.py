"""The grouped counting of `atoms` gives exactly the counts of one filtered aggregate per condition.

The fact rows of a few real cases are copied many times with their dates, people, channels,
ratings and outcomes drawn at random (NULLs included, dates on both sides of the period's bounds),
then every condition of a report is counted both ways, for a city and a county scope, on SQLite
and PostgreSQL. A wrong formula (a negation dropped, a NULL read as true) shows as a difference.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Count, Q, Sum

from xinfang.cases.facts import refresh_first_repeats
from xinfang.cases.models import Case, CaseFact
from xinfang.cases.tests.helpers import register
from xinfang.core.timeutil import pinned_now
from xinfang.statistics.atoms import Atoms, grouped_counts
from xinfang.statistics.conditions import CASE_CONDITIONS, PARTS, Scope, reach
from xinfang.testing.clock import beijing
from xinfang.testing.world import World

START, END = dt.date(2025, 1, 1), dt.date(2025, 6, 30)
DATE_FIELDS = (
    "received_on",
    "registered_on",
    "route_due_on",
    "accepted_by_bureau_on",
    "accept_due_on",
    "accepted_by_unit_on",
    "accepted_on",
    "handle_due_on",
    "replied_on",
    "closed_on",
    "review_requested_on",
    "rereview_requested_on",
    "terminated_on",
    "bureau_rated_on",
    "unit_rated_on",
    "rating_due_on",
)
NULLABLE_DATES = set(DATE_FIELDS) - {"received_on", "registered_on"}


def _day(rng: random.Random) -> dt.date:
    # Around the bounds of the period and of the comparison year, so that every side is drawn.
    anchor = rng.choice([START, END, dt.date(2024, 1, 1), dt.date(2024, 6, 30)])
    return anchor + dt.timedelta(days=rng.randint(-3, 3))


def _scramble(world: World, copies: int, seed: int) -> None:
    rng = random.Random(seed)
    with pinned_now(beijing("2025-03-03 09:00")):
        seeds = [
            register(world, problem_region=world.county),
            register(world, problem_region=world.other_county, channel="letter"),
        ]
    units = [world.city_bureau.pk, world.city_housing.pk, None]
    regions = [(world.county.pk, world.county.path), (world.other_county.pk, world.other_county.path)]
    for n in range(copies):
        case = Case.objects.get(pk=seeds[n % 2].pk)
        case.pk = None
        case.number = f"{case.number}-{n}"
        case.query_code = f"{case.query_code[:-4]}{n:04d}"
        case.save()
        fact = CaseFact.objects.get(case_id=seeds[n % 2].pk)
        fact.case_id = case.pk
        for name in DATE_FIELDS:
            nullable = name in NULLABLE_DATES
            setattr(fact, name, None if nullable and rng.random() < 0.35 else _day(rng))
        fact.problem_region_id, fact.problem_region_path = rng.choice(regions)
        fact.channel = rng.choice(["letter", "visit", "online", "phone", "fax"])
        fact.headcount = rng.choice([1, 2, 4, 5, 6, 30])
        fact.is_repeat = rng.random() < 0.3
        fact.is_skip_level = rng.random() < 0.3
        fact.visit_level = rng.choice(["", "national", "province", "city", "county"])
        fact.responsible_org_id = rng.choice(units)
        fact.declined = rng.choice(["", "", "declined", "refused_again"])
        fact.review_outcome = rng.choice(["", "uphold", "revoke", "change", "redo"])
        fact.rereview_outcome = rng.choice(["", "uphold", "revoke", "change"])
        fact.bureau_rating = rng.choice(["", "satisfied", "basically", "dissatisfied"])
        fact.unit_rating = rng.choice(["", "satisfied", "basically", "dissatisfied"])
        fact.save()
    # Repeats of one another, so that 一次性化解's "repeated within the window" has cases to find.
    ids = list(CaseFact.objects.values_list("case_id", flat=True))
    for case_id in rng.sample(ids, len(ids) // 3):
        CaseFact.objects.filter(case_id=case_id).update(repeat_of_id=rng.choice(ids))
    refresh_first_repeats(None)


def _direct(scope: Scope) -> dict[str, int]:
    measures = {**CASE_CONDITIONS, **{f"part:{k}": m for k, m in PARTS.items()}}
    row = CaseFact.objects.filter(reach([scope])).aggregate(
        **{
            f"m{i}": (
                Sum("headcount", filter=m.where(scope)) if m.persons else Count("pk", filter=m.where(scope))
            )
            for i, m in enumerate(measures.values())
        }
    )
    return {name: row[f"m{i}"] or 0 for i, name in enumerate(measures)}


def _grouped(scope: Scope) -> dict[str, int]:
    measures = {**CASE_CONDITIONS, **{f"part:{k}": m for k, m in PARTS.items()}}
    return grouped_counts(
        CaseFact.objects.filter(reach([scope])),
        {name: (m.where(scope), m.persons) for name, m in measures.items()},
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_grouped_counts_equal_the_filtered_aggregates(world: World, seed: int) -> None:
    _scramble(world, copies=120, seed=seed)
    for org in (world.city_gov, world.city_bureau):
        scope = Scope.of(org, START, END)
        direct, grouped = _direct(scope), _grouped(scope)
        assert sum(direct.values()) > 0
        differing = {k: (direct[k], grouped[k]) for k in direct if direct[k] != grouped[k]}
        assert not differing


def test_shared_parts_are_one_atom_and_negation_counts_unknowns(world: World) -> None:
    atoms = Atoms()
    first = atoms.formula(Q(channel="visit") & Q(closed_on__lte=END))
    second = atoms.formula(~Q(closed_on__lte=END) | Q(channel="visit"))
    assert len(atoms.leaves) == 2
    assert str(first) == "(a0 & a1)"
    assert str(second) == "(~(a1) | a0)"
    # An open case (closed_on NULL): not closed by the end, so counted by the negation, as in SQL.
    with pinned_now(beijing("2025-03-03 09:00")):
        register(world)
    counted = grouped_counts(
        CaseFact.objects.all(),
        {"closed": (Q(closed_on__lte=END), False), "open": (~Q(closed_on__lte=END), False)},
    )
    assert counted == {
        "closed": CaseFact.objects.filter(closed_on__lte=END).count(),
        "open": CaseFact.objects.exclude(closed_on__lte=END).count(),
    }
    assert counted["open"] >= 1


@pytest.mark.parametrize("seed", [3])
def test_one_scan_gives_the_figures_of_the_separate_queries(world: World, seed: int) -> None:
    """PostgreSQL's one scan per period (GROUPING SETS) and the queries of the other backends
    (which run on PostgreSQL too) agree on every count and every breakdown's groups."""
    from django.db import connection

    from xinfang.statistics import figures
    from xinfang.statistics.figures import CATEGORY_FIELDS, PLACE_FIELDS

    if connection.vendor != "postgresql":
        pytest.skip("GROUPING SETS: the one scan is PostgreSQL's")
    _scramble(world, copies=120, seed=seed)
    for org in (world.city_gov, world.city_bureau):
        scopes = [Scope.of(org, START, END), Scope.of(org, dt.date(2024, 1, 1), dt.date(2024, 6, 30))]
        counted, categories, places = figures._count_in_one_scan(scopes)
        assert counted == figures._count_cases(scopes)
        assert categories == figures._grouped(scopes, CATEGORY_FIELDS)
        assert places == figures._grouped(scopes, PLACE_FIELDS, month=figures._month())
        assert sum(counted[0].values()) > 0 and categories and places


def _months_normalised(groups: dict) -> dict:
    """Place groups with the month as a date whatever the backend returns."""
    from xinfang.statistics.figures import _month_key

    return {(_month_key(key[0]), *key[1:]): value for key, value in groups.items()}


@pytest.mark.parametrize("seed", [5])
def test_monthly_tallies_give_the_breakdowns_of_the_fact_rows(world: World, seed: int) -> None:
    """For whole months the breakdowns come from the tallies the database keeps (`FactTally`): the
    same groups as the scan of the fact rows, after inserts, edits of every key column, a matter
    marked a duplicate and a row deleted; and again once the tallies are compacted."""
    from xinfang.cases.tallies import compact_fact_tallies, tally_differences
    from xinfang.statistics import figures
    from xinfang.statistics.figures import CATEGORY_FIELDS, PLACE_FIELDS

    _scramble(world, copies=90, seed=seed)
    rng = random.Random(seed)
    facts = list(CaseFact.objects.order_by("case_id"))
    for fact in rng.sample(facts, 20):  # every column of the key, edited through the ORM
        fact.category_l1, fact.category_l2 = rng.choice([("01", "0101"), ("02", "0203"), ("03", "")])
        fact.channel = rng.choice(["visit", "letter"])
        fact.headcount = rng.choice([1, 3, 8])
        fact.received_on = _day(rng)
        fact.save()
    CaseFact.objects.filter(case_id=facts[0].case_id).update(duplicate_of_id=facts[1].case_id)
    CaseFact.objects.filter(case_id=facts[2].case_id).delete()
    CaseFact.objects.filter(case_id=facts[3].case_id).update(responsible_org_id=world.city_housing.pk)

    periods = [
        [(START, END), (dt.date(2024, 1, 1), dt.date(2024, 6, 30))],  # whole months: the tallies only
        [(dt.date(2025, 1, 3), dt.date(2025, 6, 28)), (dt.date(2024, 1, 3), dt.date(2024, 6, 28))],
        [(dt.date(2024, 12, 29), dt.date(2025, 1, 2)), (START, dt.date(2025, 1, 31))],  # days only
    ]

    def check() -> None:
        for org, bounds in [(o, b) for o in (world.city_gov, world.city_bureau) for b in periods]:
            scopes = [Scope.of(org, start, end) for start, end in bounds]
            assert figures._tallies_apply(scopes)
            categories, places = figures._tallied(scopes)
            assert categories == figures._grouped(scopes, CATEGORY_FIELDS)
            assert _months_normalised(places) == _months_normalised(
                figures._grouped(scopes, PLACE_FIELDS, month=figures._month())
            )
            assert categories and places
        assert tally_differences() == []

    check()
    counts = compact_fact_tallies()
    assert counts["after"] < counts["before"]
    check()
    assert compact_fact_tallies()["after"] == counts["after"]  # a second pass has nothing to sum


def test_the_whole_months_of_a_period() -> None:
    from xinfang.statistics.figures import _whole_months

    assert _whole_months(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
    )
    assert _whole_months(dt.date(2025, 1, 2), dt.date(2025, 12, 2)) == (
        dt.date(2025, 2, 1),
        dt.date(2025, 11, 30),
    )
    assert _whole_months(dt.date(2024, 2, 1), dt.date(2024, 2, 29)) == (
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 29),
    )
    assert _whole_months(dt.date(2025, 1, 31), dt.date(2025, 3, 1)) == (
        dt.date(2025, 2, 1),
        dt.date(2025, 2, 28),
    )
    assert _whole_months(dt.date(2025, 3, 5), dt.date(2025, 3, 20)) is None
    assert _whole_months(dt.date(2025, 3, 5), dt.date(2025, 4, 20)) is None


def test_a_count_over_fact_rows_reads_the_stored_code_instead_of_comparing() -> None:
    """On CaseFact the channel is read from the stored code (`CaseFact.codes`): the query groups by
    that column and computes only what the code does not tell (here the number of people)."""
    from xinfang.cases import fact_codes

    atoms = Atoms(stored=fact_codes)
    atoms.formula(Q(channel="visit", headcount__gte=5))
    computed, stored = atoms.annotations().values()
    assert str(stored) == "F(codes)"
    assert "headcount" in str(computed) and "channel" not in str(computed)
