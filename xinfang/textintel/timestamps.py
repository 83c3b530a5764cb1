"""Timestamps as the message and reply data write them (no zone: the analyses count days only)."""

from __future__ import annotations

from datetime import datetime

__all__ = ["days_between", "parse_time"]

_TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
)


def parse_time(value: str | None) -> datetime | None:
    """Parse the data's time formats (``2019/4/25 9:32:09``, ``2019-04-25 09:32:09`` …); None if blank."""
    if not value or not value.strip():
        return None
    text = value.strip()
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)  # noqa: DTZ007 - the data carries no zone; days only
        except ValueError:
            continue
    return None


def days_between(asked: datetime | None, answered: datetime | None) -> int | None:
    if asked is None or answered is None:
        return None
    return (answered.date() - asked.date()).days
