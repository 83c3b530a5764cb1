"""What the workbench's forms share: a service's refusal put on its field, the date and time
inputs of the browser's own pickers (their values in ISO form, whatever the locale writes), and the
quick choices of a period (本月, 上季度, 上半年 …)."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django import forms

from xinfang.core.errors import ServiceError


def service_error_on(form: forms.Form, exc: ServiceError, *, fields: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the field it names (``fields`` maps the service's names to the
    form's), or above the form when the form has no such field."""
    name = (fields or {}).get(exc.field or "", exc.field)
    form.add_error(name if name in form.fields else None, exc.message)


class IsoDateInput(forms.DateInput):
    """<input type="date">: it takes and gives YYYY-MM-DD only, so the value is written so too
    (the zh-hans format, 2026/12/03, would leave the picker empty)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class LocalDateTimeInput(forms.DateTimeInput):
    """<input type="datetime-local">, written YYYY-MM-DDTHH:MM (read in the current time zone)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


LOCAL_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def quick_period(choice: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """上月 / 本月 / 上季度 / 本季度 / 上半年 / 本年 of `today`; a period still running ends today."""
    quarter = 3 * ((today.month - 1) // 3) + 1
    if choice == "last_month":
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.replace(day=1), last
    if choice == "this_month":
        start, end = today.replace(day=1), _month_end(today.year, today.month)
    elif choice == "last_quarter":
        first = dt.date(today.year, quarter, 1) - dt.timedelta(days=1)
        begin = 3 * ((first.month - 1) // 3) + 1
        return dt.date(first.year, begin, 1), first
    elif choice == "this_quarter":
        start, end = dt.date(today.year, quarter, 1), _month_end(today.year, quarter + 2)
    elif choice == "first_half":
        start, end = dt.date(today.year, 1, 1), dt.date(today.year, 6, 30)
    else:
        start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    return start, max(start, min(end, today))
