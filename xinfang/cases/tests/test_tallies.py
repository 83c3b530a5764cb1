"""The monthly tallies the database keeps beside the fact rows (`FactTally`, migration 0010)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from xinfang.cases.models import CaseFact, FactTally
from xinfang.cases.tallies import compact_fact_tallies, tally_differences
from xinfang.cases.tests.helpers import register, to_delivered
from xinfang.core.schedule import registered_jobs
from xinfang.testing.world import World


def _tallied(**lookups: object) -> tuple[int, int]:
    sums = FactTally.objects.filter(**lookups).aggregate(cases=Sum("cases"), people=Sum("people"))
    return sums["cases"] or 0, sums["people"] or 0


def test_the_services_keep_the_tallies(world: World) -> None:
    """Registration adds the matter to its month; routing moves it to the responsible unit; a
    duplicate leaves the tallies; compaction keeps the sums and drops what cancelled out."""
    first = to_delivered(world)
    fact = CaseFact.objects.get(pk=first.pk)
    month = fact.received_on.replace(day=1)
    assert _tallied(month=month) == (1, fact.headcount)
    assert _tallied(responsible_org_id=fact.responsible_org_id) == (1, fact.headcount)
    assert fact.responsible_org_id is not None  # routed: the unrouted key was taken back (-1)
    assert _tallied(responsible_org_id=None) == (0, 0)
    second = register(world, headcount=6)
    assert _tallied(visit_people=6) == (1, 6)
    CaseFact.objects.filter(pk=second.pk).update(duplicate_of_id=first.pk)
    assert _tallied(visit_people=6) == (0, 0)
    rows = FactTally.objects.count()
    assert compact_fact_tallies() == {"before": rows, "after": 1}
    assert list(FactTally.objects.values_list("month", "cases")) == [(month, 1)]
    assert tally_differences() == []


def test_verify_events_names_a_tally_that_disagrees_with_the_facts(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    case = to_delivered(world)
    fact = CaseFact.objects.get(pk=case.pk)
    call_command("verify_events")
    FactTally.objects.create(
        month=dt.date(2020, 1, 1),
        problem_region_id=fact.problem_region_id,
        problem_region_path=fact.problem_region_path,
        category_l1=fact.category_l1,
        category_l2=fact.category_l2,
        responsible_org_id=None,
        channel="letter",
        visit_people=0,
        cases=3,
        people=3,
    )
    with pytest.raises(CommandError, match="发现 1 处"):
        call_command("verify_events")
    assert "统计汇总 ('2020-01-01'" in capsys.readouterr().err


def test_compaction_runs_hourly() -> None:
    jobs = {job.name: job for job in registered_jobs()}
    assert jobs["compact_fact_tallies"].every == dt.timedelta(hours=1)


def test_a_rebuild_of_the_fact_rows_keeps_the_tallies(world: World) -> None:
    """`rebuild_case_facts` deletes and writes the rows again: the triggers follow both."""
    from xinfang.cases.facts import rebuild_facts

    to_delivered(world)
    register(world, headcount=9)
    before = _tallied()
    rebuild_facts()
    assert _tallied() == before == (2, 10)
    assert tally_differences() == []
