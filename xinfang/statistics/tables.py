"""Two cross tables for dashboards (大屏) and other systems: one grouped read each.

- `unit_status_table`: the matters of an organisation's territory received in a period, by the
  unit that handles them (受理（答复）单位; 未交办 before one is named) and by their state now
  (待交转, 待受理, 办理中, 已答复, 已办结, 复查中, ...): "各责任单位办理情况".
- `month_category_table`: the same matters by month and by level-1 content category
  (内容分类), from the monthly tallies the database keeps (`FactTally`): "各月分类统计".

Both count 件次 (the matters themselves) exactly as the work report's 信访总量 counts them for the
territory (`conditions.territory`: about the region or below it, received in the period, not a
duplicate); the report (`figures.compute_report`) has every
other figure. They read the replica where there is one (xinfang.core.dbrouting), like the report.
The API serves them (`GET /api/v1/statistics/units`, `/statistics/months`; docs/api.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Sum

from xinfang.cases.facts import territory_q
from xinfang.cases.models import CaseFact, ContentCategory, FactTally
from xinfang.cases.vocabulary import STATUS_LABELS, Status
from xinfang.core.dbrouting import replica_reads
from xinfang.orgs.models import Org
from xinfang.statistics.conditions import Scope, territory

NO_UNIT = "未交办"
NO_CATEGORY = "未分类"
MAX_MONTHS = 60


@dataclass(frozen=True)
class TableRow:
    key: str
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class CrossTable:
    title: str
    org_name: str
    start: dt.date
    end: dt.date
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[TableRow]

    @property
    def totals(self) -> dict[str, int]:
        return {key: sum(row.counts.get(key, 0) for row in self.rows) for key, _ in self.columns}

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)


def unit_status_table(org: Org, start: dt.date, end: dt.date) -> CrossTable:
    """The territory's matters received from `start` to `end`, by unit and by state now."""
    with replica_reads():
        org = Org.objects.select_related("region").get(pk=org.pk)
        scope = Scope(region_path=org.region.path, org_path=org.path, start=start, end=end)
        counted = (
            CaseFact.objects.filter(territory(scope))
            .order_by()
            .values_list("responsible_org_id", "status")
            .annotate(n=Count("case_id"))
        )
        cells: dict[int | None, dict[str, int]] = {}
        for unit_id, status, n in counted:
            cells.setdefault(unit_id, {})[status] = n
        names = dict(Org.objects.filter(pk__in=[u for u in cells if u]).values_list("pk", "name"))
    rows = [
        TableRow(str(unit_id) if unit_id else "", names.get(unit_id, NO_UNIT) if unit_id else NO_UNIT, counts)
        for unit_id, counts in cells.items()
    ]
    rows.sort(key=lambda row: (-row.total, row.label))
    columns = [(status.value, STATUS_LABELS[status]) for status in Status]
    return CrossTable("各责任单位办理情况", org.name, start, end, columns, rows)


def month_category_table(org: Org, first: dt.date, last: dt.date) -> CrossTable:
    """The territory's matters by month (from `first`'s month to `last`'s) and by level-1
    category, from the monthly tallies (whole months only: what the tallies hold)."""
    first, last = first.replace(day=1), last.replace(day=1)
    with replica_reads():
        org = Org.objects.select_related("region").get(pk=org.pk)
        tallied = (
            FactTally.objects.filter(territory_q(org.region.path), month__gte=first, month__lte=last)
            .order_by()
            .values_list("month", "category_l1")
            .annotate(n=Sum("cases"))
        )
        cells: dict[dt.date, dict[str, int]] = {}
        for month, code, n in tallied:
            if n:
                cells.setdefault(month, {})[code or ""] = int(n)
        codes = sorted({code for counts in cells.values() for code in counts})
        names = dict(ContentCategory.objects.filter(code__in=codes).values_list("code", "name"))
    rows = [TableRow(f"{m:%Y-%m}", f"{m.year}年{m.month}月", cells.get(m, {})) for m in _months(first, last)]
    columns = [(code, names.get(code, NO_CATEGORY) if code else NO_CATEGORY) for code in codes]
    end = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return CrossTable("各月分类统计", org.name, first, end, columns, rows)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months
