"""Keyset (cursor) pagination over cases ordered newest first: (registered_at, id) descending.

The cursor is opaque to clients: URL-safe base64 of the JSON ``[registered_at, id]`` of the last
row returned. Rows registered while a client pages never shift the pages it has not read yet.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from django.db.models import Q, QuerySet

from xinfang.cases.models import Case
from xinfang.core.errors import ServiceError

ORDERING = ("-registered_at", "-id")
# What a cursor may contain (URL-safe base64 without padding), declared on every `cursor` parameter;
# empty is the first page.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]*$"


def encode_cursor(case: Case) -> str:
    raw = json.dumps([case.registered_at.isoformat(), case.pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment_text, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = dt.datetime.fromisoformat(moment_text)
        if moment.tzinfo is None or not isinstance(pk, int) or not 1 <= pk < 2**63:
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError):
        raise ServiceError("游标无效，请使用上一页返回的 next_cursor。", field="cursor") from None
    return moment, pk


def page(queryset: QuerySet[Case], *, cursor: str | None, limit: int) -> dict[str, Any]:
    """One page of `queryset` after `cursor`: {"rows": [...], "next_cursor": str | None}."""
    queryset = queryset.order_by(*ORDERING)
    if cursor:
        moment, pk = decode_cursor(cursor)
        queryset = queryset.filter(Q(registered_at__lt=moment) | Q(registered_at=moment, id__lt=pk))
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"rows": rows, "next_cursor": encode_cursor(rows[-1]) if more and rows else None}
