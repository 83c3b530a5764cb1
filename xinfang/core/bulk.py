"""Bulk INSERT without model instances: one prepared statement run over all the rows.

What `QuerySet.bulk_create` writes, without building, validating and compiling a model instance
per row; for the writers of many rows at once (the historic import, the 查重 index), where that
costs more than the database's own work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection

__all__ = ["insert_rows"]


def _sqlite_moment(value: Any) -> Any:
    # What the SQLite backend's adapt_datetimefield_value gives an aware moment (USE_TZ: in UTC,
    # naive, as text), without its per-value checks; anything else goes through it.
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return str(value.astimezone(dt.UTC).replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value(value)


def _converter(field: Any) -> Callable[[Any], Any] | None:
    """What `field.get_db_prep_save` does to a value of the types written in bulk (aware moments,
    dates, JSON); None where the value goes to the driver as it is."""
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return _sqlite_moment if connection.vendor == "sqlite" else ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "JSONField":
        encoder = field.encoder
        return lambda value: ops.adapt_json_value(value, encoder)
    return None


def insert_rows(model: Any, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT `rows` (values of the fields `names`, a foreign key as its id) into `model`'s table."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    # Only the columns that need it are converted: a case row has dozens of plain values.
    converted = [(i, convert) for i, f in enumerate(fields) if (convert := _converter(f)) is not None]
    prepared: Sequence[Sequence[Any]] = rows
    if converted:
        prepared = []
        for row in rows:
            values = list(row)
            for i, convert in converted:
                values[i] = convert(values[i])
            prepared.append(values)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})", prepared
        )
