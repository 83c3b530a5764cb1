"""The fact row's columns that reports compare with constants, coded into one stored integer.

A report tests, on every fact row of a period, which channel it came by, at which level a visit
was registered, how a 复查 was decided, how it was rated, whether a clock's due day is blank,
whether it was met before or after that day ... (`xinfang.statistics.conditions`). None of it
depends on the period, so the database computes it once, when the row is written, into
`CaseFact.codes` (a generated column: `expression`), and a report groups its rows by that integer
instead of evaluating a dozen comparisons per row (`xinfang.statistics.atoms` reads a leaf through
`leaf_codes`). A value missing from a part's list codes as 0 ("none of these"): a leaf that tests
it is then simply not read from the code but computed by the report, so the lists can lag behind
a new choice without a wrong count; changing one is a migration (the column is regenerated).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BigIntegerField, F, Q, Value, When
from django.db.models import Case as SqlCase

__all__ = ["COLUMN", "PARTS", "Part", "compared_constants", "expression", "leaf_codes"]

COLUMN = "codes"


@dataclass(frozen=True)
class Part:
    """Some bits of the code. `value`: 1 + the index of the column's value in `values` (0 for
    another value or NULL); `null`: 1 when the column is NULL; `compare`: the column against
    `other`, 1 before, 2 the same day, 3 after (0 when either is NULL)."""

    field: str
    kind: str
    values: tuple[Any, ...] = ()
    other: str = ""
    offset: int = 0

    @property
    def width(self) -> int:
        if self.kind == "value":
            return len(self.values).bit_length()
        return 1 if self.kind == "null" else 2

    def whens(self) -> list[When]:
        shift = 1 << self.offset
        if self.kind == "value":
            return [
                When(Q(**{self.field: value}), then=Value(code * shift))
                for code, value in enumerate(self.values, start=1)
            ]
        if self.kind == "null":
            return [When(Q(**{f"{self.field}__isnull": True}), then=Value(shift))]
        other = F(self.other)
        return [
            When(Q(**{f"{self.field}__lt": other}), then=Value(1 * shift)),
            When(Q(**{self.field: other}), then=Value(2 * shift)),
            When(Q(**{f"{self.field}__gt": other}), then=Value(3 * shift)),
        ]


def _laid_out(parts: list[Part]) -> tuple[Part, ...]:
    offset, placed = 0, []
    for part in parts:
        placed.append(Part(part.field, part.kind, part.values, part.other, offset))
        offset += placed[-1].width
    if offset > 62:
        raise ImportError("the fact codes need more than 62 bits")
    return tuple(placed)


# The values reports test (a subset of each column's vocabulary is enough, see above). The
# channels are `Channel`'s, the levels `orgs.Level`'s, the outcomes `services.appeals`'s, the
# ratings `Rating.Value`'s (test_fact_codes checks each list against its source).
PARTS: tuple[Part, ...] = _laid_out(
    [
        Part("channel", "value", ("letter", "visit", "online", "phone", "fax", "video")),
        Part("visit_level", "value", ("national", "province", "city", "county", "township")),
        Part("is_skip_level", "value", (True, False)),
        Part("is_repeat", "value", (True, False)),
        Part("review_outcome", "value", ("uphold", "revoke", "change", "redo")),
        Part("rereview_outcome", "value", ("uphold", "revoke", "change", "redo")),
        Part("declined", "value", ("declined", "refused_again")),
        Part("bureau_rating", "value", ("satisfied", "basically", "dissatisfied")),
        Part("unit_rating", "value", ("satisfied", "basically", "dissatisfied")),
        Part("duplicate_of", "null"),
        Part("route_due_on", "null"),
        Part("accept_due_on", "null"),
        Part("closed_on", "compare", other="handle_due_on"),
        Part("accepted_by_bureau_on", "compare", other="route_due_on"),
        Part("accepted_by_unit_on", "compare", other="accept_due_on"),
    ]
)
_BY_FIELD = {part.field: part for part in PARTS}


def expression() -> SqlCase | Any:
    """The code as a SQL expression of the row's columns (the generated column's definition)."""
    total: Any = None
    for part in PARTS:
        term = SqlCase(*part.whens(), default=Value(0), output_field=BigIntegerField())
        total = term if total is None else total + term
    return total


_COMPARED = {"lt": (1,), "lte": (1, 2), "": (2,), "exact": (2,), "gt": (3,), "gte": (2, 3)}


def leaf_codes(leaf: Any) -> tuple[Part, tuple[int, ...]] | None:
    """For a leaf of a condition on CaseFact (a ``(lookup, value)`` pair) that the code answers:
    its part and the part's codes for which the leaf holds; None for any other leaf."""
    if not isinstance(leaf, tuple):
        return None
    lookup, value = leaf
    field, _, operator = lookup.partition("__")
    part = _BY_FIELD.get(field)
    if part is None:
        return None
    if part.kind == "null":
        return (part, ((1,) if value else (0,))) if operator == "isnull" and isinstance(value, bool) else None
    if part.kind == "compare":
        if isinstance(value, F) and value.name == part.other and operator in _COMPARED:
            return part, _COMPARED[operator]
        return None
    compared = compared_constants(leaf)
    if compared is None or any(type(v) not in (str, bool) or v not in part.values for v in compared[1]):
        return None
    return part, tuple(sorted({part.values.index(v) + 1 for v in compared[1]}))


def compared_constants(leaf: Any) -> tuple[str, tuple[Any, ...]] | None:
    """For a leaf that compares a column of the queried model with constants (``field``,
    ``field__exact`` or ``field__in``; no relation crossed, no NULL): the column and the values
    for which the leaf holds; None for any other leaf."""
    if not isinstance(leaf, tuple):
        return None
    lookup, value = leaf
    field, _, operator = lookup.partition("__")
    if operator in ("", "exact"):
        values: tuple[Any, ...] = (value,)
    elif operator == "in" and isinstance(value, list | tuple) and value:
        values = tuple(value)
    else:
        return None
    if not all(isinstance(v, str | bool | int) for v in values):
        return None
    return field, values
