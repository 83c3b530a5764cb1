"""Time helpers: "now" is always aware UTC; clocks and pages use Beijing local dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from django.utils import timezone

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

_pinned: ContextVar[dt.datetime | None] = ContextVar("xinfang_pinned_now", default=None)


def now() -> dt.datetime:
    pinned = _pinned.get()
    return pinned if pinned is not None else timezone.now()


@contextmanager
def pinned_now(moment: dt.datetime) -> Iterator[None]:
    """Make `now()` return `moment` in this context: for entering historical records (the demo
    generator, imports of a bureau's archive) through the same services as live work."""
    if moment.tzinfo is None:
        raise ValueError("pinned_now needs an aware datetime")
    # In UTC, as `now()` is and as the database gives moments back: an event's digest covers its
    # moment's text, which must read the same when the integrity check recomputes it.
    token = _pinned.set(moment.astimezone(dt.UTC))
    try:
        yield
    finally:
        _pinned.reset(token)


def is_pinned() -> bool:
    """Whether `now()` is pinned here: a historical record is being entered, not live work."""
    return _pinned.get() is not None


def local_date(moment: dt.datetime | None = None) -> dt.date:
    """The calendar date in Beijing of an aware moment (default: now)."""
    return (moment or now()).astimezone(LOCAL_TZ).date()


def local_midnight(day: dt.date) -> dt.datetime:
    """The aware start of a Beijing calendar day."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)
