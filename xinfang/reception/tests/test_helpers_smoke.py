import datetime as dt

from xinfang.reception.models import StationedUnit
from xinfang.reception.selectors import halls_visible_to, points_visible_to
from xinfang.reception.services._common import may_run_hall, may_serve_point
from xinfang.reception.tests.helpers import build_hall_world


def test_the_hall_world_is_seen_by_who_runs_it(world):  # type: ignore[no-untyped-def]
    hw = build_hall_world(world)
    assert list(halls_visible_to(hw.clerk)) == [hw.hall]
    assert list(halls_visible_to(hw.labour_leader)) == [hw.hall]
    assert list(halls_visible_to(world.other_clerk)) == []
    assert may_run_hall(hw.clerk, hw.hall) and may_run_hall(world.registrar, hw.hall)
    assert not may_run_hall(hw.labour_leader, hw.hall)
    assert may_serve_point(hw.point_clerk, hw.point) and may_serve_point(hw.town_clerk, hw.point)
    assert not may_serve_point(world.other_clerk, hw.point)
    assert list(points_visible_to(hw.town_clerk)) == [hw.point]
    assert list(points_visible_to(world.registrar)) == [hw.point]


def test_a_withdrawn_units_staff_no_longer_see_the_hall(world):  # type: ignore[no-untyped-def]
    hw = build_hall_world(world)
    StationedUnit.objects.filter(hall=hw.hall, org=hw.labour).update(until=dt.date(2025, 1, 31))
    assert list(halls_visible_to(hw.labour_leader)) == []
    assert list(halls_visible_to(hw.housing_leader)) == [hw.hall]
