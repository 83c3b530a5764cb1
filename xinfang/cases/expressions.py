"""Facts about a case that reports count, each defined once for the database and for a case in hand.

A :class:`Condition` is a set of field lookups (all must hold). Reports filter or aggregate on
its ``q()`` (``Case.objects.filter(COLLECTIVE.q())``, ``Count("pk", filter=COLLECTIVE.q())``) or
annotate ``flag()``; the model's properties (``Case.is_collective`` ...) call ``holds(case)``,
which evaluates the same lookups in Python, so the page and the statistics cannot disagree.
The channel groups of the statistics (来信 / 来访 / 网信) are one mapping, rendered as a SQL
``CASE`` by :func:`channel_group` and read by ``Case.channel_group``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, CharField, ExpressionWrapper, Q, Value, When
from django.db.models import Case as DbCase

from xinfang.cases.models import CHANNEL_STATS_GROUP, Channel

# The lookups a Condition may use, with their meaning on a value in hand.
_LOOKUPS: Mapping[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "gte": operator.ge,
    "lte": operator.le,
    "in": lambda value, choices: value in choices,
}


@dataclass(frozen=True)
class Condition:
    """A conjunction of lookups on `Case` fields (``{"headcount__gte": 5}``), built when used,
    so a setting (the collective threshold) is read as it stands then."""

    name: str
    lookups: Callable[[], dict[str, Any]]

    def q(self) -> Q:
        return Q(**self.lookups())

    def flag(self) -> ExpressionWrapper:
        """The condition as a boolean column, for ``annotate``."""
        return ExpressionWrapper(self.q(), output_field=BooleanField())

    def holds(self, case: Any) -> bool:
        return all(_holds(case, lookup, wanted) for lookup, wanted in self.lookups().items())


def _holds(case: Any, lookup: str, wanted: Any) -> bool:
    field, _, op = lookup.partition("__")
    if op not in _LOOKUPS and op:
        raise ValueError(f"{lookup}: a Condition knows only {sorted(_LOOKUPS)}")
    return _LOOKUPS[op or "exact"](getattr(case, field), wanted)


# 集体访: a visit by XINFANG_COLLECTIVE_THRESHOLD (5) or more people (DOMAIN §4).
COLLECTIVE = Condition(
    "collective",
    lambda: {"channel": Channel.VISIT.value, "headcount__gte": settings.XINFANG_COLLECTIVE_THRESHOLD},
)
# 越级访: not through the proper ladder of organs.
SKIP_LEVEL = Condition("skip_level", lambda: {"via_proper_ladder": False})
# 进京访: a visit registered at a national organ (about a matter elsewhere).
BEIJING_VISIT = Condition(
    "beijing_visit", lambda: {"channel": Channel.VISIT.value, "registered_level": "national"}
)

CONDITIONS = (COLLECTIVE, SKIP_LEVEL, BEIJING_VISIT)


def channel_group() -> DbCase:
    """The statistics group of the case's channel (来信 / 来访 / 网信) as a SQL ``CASE``."""
    groups: dict[str, list[str]] = {}
    for channel, group in CHANNEL_STATS_GROUP.items():
        groups.setdefault(group, []).append(Channel(channel).value)
    return DbCase(
        *(When(channel__in=channels, then=Value(group)) for group, channels in groups.items()),
        default=Value(""),
        output_field=CharField(),
    )


def channel_group_of(channel: str) -> str:
    """`channel_group` for a channel in hand."""
    return CHANNEL_STATS_GROUP[Channel(channel)]
