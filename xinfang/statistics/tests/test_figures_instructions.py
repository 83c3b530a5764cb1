"""领导批示: the 批示 written in the period by leaders of the organs reported on."""

from __future__ import annotations

import datetime as dt

from xinfang.cases import services
from xinfang.cases.tests.helpers import register
from xinfang.core.timeutil import pinned_now
from xinfang.statistics.figures import compute_report
from xinfang.statistics.indicators import Comparison
from xinfang.testing.clock import beijing
from xinfang.testing.world import World


def test_instructions_are_counted_by_the_leaders_organ_and_the_day_written(world: World) -> None:
    with pinned_now(beijing("2025-03-03 09:00")):
        first, second, waiting = register(world), register(world), register(world)
        first = services.case_send_for_instruction(actor=world.bureau_head, case=first, leader=world.leader)
        services.case_send_for_instruction(actor=world.bureau_head, case=waiting, leader=world.leader)
    with pinned_now(beijing("2025-03-04 10:00")):
        services.case_instruct(actor=world.leader, case=first, text="请依法处理。")
        services.case_instruct(actor=world.leader, case=second, text="请关注。")  # unprompted
    report = compute_report(
        org=world.city_gov, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30), comparison=Comparison.YOY
    )
    # Two 批示 by 陈副市长 of 示例市人民政府; the case still waiting for one is not counted.
    assert (report["领导批示"].current, report["领导批示"].previous) == (2, 0)
    # Not in the next period, and not for an organ above none of it (the county government).
    later = compute_report(
        org=world.city_gov, start=dt.date(2025, 7, 1), end=dt.date(2025, 12, 31), comparison=None
    )
    assert later["领导批示"].current == 0
    county = compute_report(
        org=world.county_gov, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30), comparison=None
    )
    assert county["领导批示"].current == 0
    # The province's report counts the leaders of the organs under it.
    province = compute_report(
        org=world.province_gov, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30), comparison=None
    )
    assert province["领导批示"].current == 2
