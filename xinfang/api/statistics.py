"""Statistics tables: 各责任单位办理情况 and 各月分类统计 of an organisation (`xinfang.statistics.tables`).

For dashboards and other systems that want one table, not the whole work report. The organisation
must be one of the caller's organs or one under it (the statistics page's rule); otherwise 403.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from xinfang.api.auth import current_user
from xinfang.api.errors import ERROR_RESPONSES
from xinfang.api.schemas import Day, Id
from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.orgs.models import Org
from xinfang.statistics import access, tables

router = Router(tags=["statistics"])

NOT_YOURS = "无权查看该机构的统计数据：只能查看本机构及其下属机构。"


class PeriodIn(Schema):
    org_id: Id = Field(description="统计机构（本机构或下属机构）的 id")
    start: Day = Field(description="信访日期起（含）")
    end: Day = Field(description="信访日期止（含）")


class ColumnOut(Schema):
    key: str
    label: str


class RowOut(Schema):
    key: str = Field(description="单位 id（未交办为空）或月份 YYYY-MM")
    label: str
    counts: dict[str, int] = Field(description="每列的件次（列的 key → 件次；没有的列为 0 时省略）")
    total: int


class TableOut(Schema):
    title: str
    org_name: str
    start: dt.date
    end: dt.date
    columns: list[ColumnOut]
    rows: list[RowOut]
    totals: dict[str, int]
    total: int


def _org(request: HttpRequest, period: PeriodIn) -> Org:
    if period.end < period.start:
        raise ServiceError("截止日期不能早于起始日期。", field="end")
    org = Org.objects.filter(pk=period.org_id).first()
    if org is None or not access.may_report_on(current_user(request), org):
        raise NotAllowed(NOT_YOURS, field="org_id")
    return org


def _out(table: tables.CrossTable) -> dict[str, object]:
    return {
        "title": table.title,
        "org_name": table.org_name,
        "start": table.start,
        "end": table.end,
        "columns": [{"key": key, "label": label} for key, label in table.columns],
        "rows": [
            {"key": row.key, "label": row.label, "counts": row.counts, "total": row.total}
            for row in table.rows
        ],
        "totals": table.totals,
        "total": table.total,
    }


@router.get(
    "/statistics/units",
    response={200: TableOut, **ERROR_RESPONSES},
    summary="各责任单位办理情况（按单位和当前状态的件次）",
)
def statistics_units(request: HttpRequest, period: Query[PeriodIn]) -> dict[str, object]:
    return _out(tables.unit_status_table(_org(request, period), period.start, period.end))


@router.get(
    "/statistics/months",
    response={200: TableOut, **ERROR_RESPONSES},
    summary="各月分类统计（按月份和一级内容分类的件次，整月）",
)
def statistics_months(request: HttpRequest, period: Query[PeriodIn]) -> dict[str, object]:
    org = _org(request, period)
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    if months > tables.MAX_MONTHS:
        raise ServiceError(f"一次最多统计 {tables.MAX_MONTHS} 个月。", field="end")
    return _out(tables.month_category_table(org, period.start, period.end))
