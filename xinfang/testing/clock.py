"""Frozen time in Beijing terms, for tests of clocks and time-stamped events."""

from __future__ import annotations

import datetime as dt

from xinfang.core.timeutil import LOCAL_TZ


def beijing(text: str) -> dt.datetime:
    """An aware moment from a Beijing wall-clock text such as "2025-01-27 09:30"."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)
