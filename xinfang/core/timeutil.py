"""Time helpers: "now" is always aware UTC; clocks and pages use Beijing local dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return timezone.now()


def local_date(moment: dt.datetime | None = None) -> dt.date:
    """The calendar date in Beijing of an aware moment (default: now)."""
    return (moment or now()).astimezone(LOCAL_TZ).date()


def local_midnight(day: dt.date) -> dt.datetime:
    """The aware start of a Beijing calendar day."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)
