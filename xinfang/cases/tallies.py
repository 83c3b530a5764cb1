"""The monthly tallies of the fact rows (`FactTally`): compaction, and the check against the facts.

The database's triggers (migration 0010) append a row of +1 or -1 for every fact row written,
replaced or deleted, so the table is right at every moment but grows by a row or two per change;
`compact_fact_tallies` (hourly, `tasks.compact_fact_tallies`) sums each key's rows into one.
`tally_differences` compares the tallies with the fact rows themselves (verify_events runs it).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Case as SqlCase
from django.db.models import Count, F, IntegerField, Max, Sum, Value, When
from django.db.models.functions import TruncMonth

from xinfang.cases.models import CaseFact, FactTally

__all__ = ["KEY", "compact_fact_tallies", "tally_differences"]

# The tally's key: every column but its id and its two sums.
KEY = tuple(
    field.attname
    for field in FactTally._meta.concrete_fields
    if field.attname not in ("id", "cases", "people")
)
_KEYS = ", ".join(KEY)


def compact_fact_tallies() -> dict[str, int]:
    """Sum each key's rows into one (dropping keys that sum to nothing): the rows before and after.

    A change committed meanwhile is never lost. On PostgreSQL one statement deletes the rows it
    sums (DELETE ... RETURNING), so a row it did not see stays. On SQLite the transaction holds the
    database's one write lock from its start (settings: immediate transactions), and it sums and
    deletes only the rows up to the highest id it read, so it would not lose a row even without."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""
                WITH gone AS (DELETE FROM cases_facttally RETURNING {_KEYS}, cases, people),
                kept AS (
                    INSERT INTO cases_facttally ({_KEYS}, cases, people)
                    SELECT {_KEYS}, sum(cases), sum(people) FROM gone GROUP BY {_KEYS}
                    HAVING sum(cases) <> 0 OR sum(people) <> 0
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM kept)
                """
            )
            before, after = cursor.fetchone()
            return {"before": before, "after": after}
        last = FactTally.objects.aggregate(last=Max("pk"))["last"]
        if last is None:
            return {"before": 0, "after": 0}
        before = FactTally.objects.filter(pk__lte=last).count()
        cursor.execute(
            f"""
            INSERT INTO cases_facttally ({_KEYS}, cases, people)
            SELECT {_KEYS}, sum(cases), sum(people) FROM cases_facttally WHERE id <= %s
            GROUP BY {_KEYS} HAVING sum(cases) <> 0 OR sum(people) <> 0
            """,
            [last],
        )
        after = cursor.rowcount
        FactTally.objects.filter(pk__lte=last).delete()
        return {"before": before, "after": after}


def tally_differences(limit: int = 20) -> list[str]:
    """The keys whose tallies differ from the fact rows (at most `limit`): empty when they agree."""
    visit_people = SqlCase(
        When(channel="visit", headcount__gte=2, then=F("headcount")),
        default=Value(0),
        output_field=IntegerField(),
    )
    facts = (
        CaseFact.objects.filter(duplicate_of__isnull=True)
        .annotate(month=TruncMonth("received_on"), visit_people=visit_people)
        .values(*KEY)
        .annotate(cases=Count("pk"), people=Sum("headcount"))
        .order_by()
    )
    tallied = FactTally.objects.values(*KEY).annotate(cases=Sum("cases"), people=Sum("people")).order_by()
    expected = {_key(row): (row["cases"], row["people"]) for row in facts}
    found = {_key(row): (row["cases"], row["people"]) for row in tallied if row["cases"] or row["people"]}
    problems = []
    for key in sorted(set(expected) | set(found), key=str):
        if expected.get(key, (0, 0)) != found.get(key, (0, 0)):
            problems.append(
                f"统计汇总 {key}: 事实行 {expected.get(key, (0, 0))}，汇总 {found.get(key, (0, 0))}"
            )
            if len(problems) >= limit:
                break
    return problems


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    """A comparable key: the month as its ISO text (a date, or a datetime on some backends)."""
    return (str(row["month"])[:10], *(row[name] for name in KEY[1:]))
