"""The stored code of a fact row's compared columns (`fact_codes`, the generated `CaseFact.codes`)."""

from __future__ import annotations

import pytest
from django.db.models import F

from xinfang.cases import fact_codes
from xinfang.cases.models import CaseFact, Channel, Rating
from xinfang.cases.services.appeals import REVIEW_OUTCOMES
from xinfang.cases.tests.helpers import to_delivered
from xinfang.orgs.models import Level
from xinfang.testing.world import World

PARTS = {part.field: part for part in fact_codes.PARTS}


def test_the_coded_values_are_the_vocabularies_of_their_columns() -> None:
    assert PARTS["channel"].values == tuple(Channel.values)
    assert PARTS["visit_level"].values == tuple(Level.values)
    assert set(PARTS["review_outcome"].values) == set(REVIEW_OUTCOMES)
    assert set(PARTS["rereview_outcome"].values) == set(REVIEW_OUTCOMES)
    assert PARTS["bureau_rating"].values == PARTS["unit_rating"].values == tuple(Rating.Value.values)


def test_a_leaf_is_read_from_the_code_only_when_the_code_tells_it() -> None:
    channel = PARTS["channel"]
    assert fact_codes.leaf_codes(("channel", "visit")) == (channel, (2,))
    assert fact_codes.leaf_codes(("channel__in", ["fax", "video"])) == (channel, (5, 6))
    assert fact_codes.leaf_codes(("channel", "pigeon")) is None  # not coded: the report computes it
    assert fact_codes.leaf_codes(("is_repeat", False)) == (PARTS["is_repeat"], (2,))
    assert fact_codes.leaf_codes(("is_repeat", 0)) is None
    assert fact_codes.leaf_codes(("route_due_on__isnull", False)) == (PARTS["route_due_on"], (0,))
    closed = PARTS["closed_on"]
    assert fact_codes.leaf_codes(("closed_on__lte", F("handle_due_on"))) == (closed, (1, 2))
    assert fact_codes.leaf_codes(("closed_on__gt", F("handle_due_on"))) == (closed, (3,))
    assert fact_codes.leaf_codes(("closed_on__gt", F("registered_on"))) is None
    assert fact_codes.leaf_codes(("headcount__gte", 5)) is None


@pytest.mark.parametrize("field", ["channel", "closed_on", "route_due_on", "bureau_rating"])
def test_the_database_writes_the_code_of_the_row(world: World, field: str) -> None:
    """The code the database stored decodes to the row's own values, part by part."""
    case = to_delivered(world)
    fact = CaseFact.objects.get(pk=case.pk)
    part = PARTS[field]
    code = (fact.codes >> part.offset) & ((1 << part.width) - 1)
    value = getattr(fact, field)
    if part.kind == "value":
        assert code == (part.values.index(value) + 1 if value in part.values else 0)
    elif part.kind == "null":
        assert code == (1 if value is None else 0)
    else:
        other = getattr(fact, part.other)
        expected = 0 if value is None or other is None else 1 if value < other else 2 if value == other else 3
        assert code == expected
