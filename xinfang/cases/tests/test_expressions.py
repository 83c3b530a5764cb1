"""The report facts as SQL (`expressions`) and as the model's properties say the same of every case."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from xinfang.cases.expressions import BEIJING_VISIT, COLLECTIVE, SKIP_LEVEL, Condition, channel_group
from xinfang.cases.models import Case, Channel
from xinfang.cases.tests.helpers import register
from xinfang.testing.world import World


def _variants(world: World) -> list[Case]:
    """One case for every channel, a headcount on each side of the threshold, either ladder and level."""
    model = register(world)
    rows = []
    combos = itertools.product(Channel.values, (1, 4, 5, 6), (True, False), ("national", "city"))
    for i, (channel, headcount, ladder, level) in enumerate(combos):
        fields = {
            f.attname: getattr(model, f.attname) for f in Case._meta.concrete_fields if not f.primary_key
        }
        fields.update(
            number=f"T{i:05d}",
            query_code=f"Q{i:05d}",
            channel=channel,
            headcount=headcount,
            via_proper_ladder=ladder,
            registered_level=level,
        )
        rows.append(Case(**fields))
    return Case.objects.bulk_create(rows)


def _agree(condition: Condition, prop: str) -> None:
    annotated = Case.objects.annotate(fact=condition.flag()).values_list("pk", "fact")
    in_sql = {pk: bool(fact) for pk, fact in annotated}
    in_hand = {case.pk: getattr(case, prop) for case in Case.objects.all()}
    assert in_sql == in_hand
    assert set(Case.objects.filter(condition.q()).values_list("pk", flat=True)) == {
        pk for pk, fact in in_hand.items() if fact
    }
    assert any(in_hand.values()) and not all(in_hand.values())  # the set tells the two apart


@pytest.mark.parametrize(
    ("condition", "prop"),
    [(COLLECTIVE, "is_collective"), (SKIP_LEVEL, "is_skip_level"), (BEIJING_VISIT, "is_beijing_visit")],
)
def test_the_property_and_the_query_expression_agree(world: World, condition: Condition, prop: str) -> None:
    _variants(world)
    _agree(condition, prop)


def test_the_collective_threshold_is_read_when_used(world: World, settings: Any) -> None:
    _variants(world)
    settings.XINFANG_COLLECTIVE_THRESHOLD = 6
    _agree(COLLECTIVE, "is_collective")
    assert not Case.objects.filter(COLLECTIVE.q(), headcount=5).exists()


def test_the_channel_group_agrees(world: World) -> None:
    _variants(world)
    in_sql = dict(Case.objects.annotate(group=channel_group()).values_list("pk", "group"))
    assert in_sql == {case.pk: case.channel_group for case in Case.objects.all()}
    assert set(in_sql.values()) == {"来信", "来访", "网信"}


def test_a_condition_refuses_a_lookup_it_cannot_evaluate(world: World) -> None:
    odd = Condition("odd", lambda: {"subject__icontains": "住房"})
    with pytest.raises(ValueError, match="icontains"):
        odd.holds(register(world))
