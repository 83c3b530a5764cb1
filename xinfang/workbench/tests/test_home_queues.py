"""The home page as each role's to-do list: the right cases in each queue, overdue first."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xinfang.cases import services
from xinfang.cases.models import Case
from xinfang.cases.selectors import cases_filtered
from xinfang.cases.tests.helpers import a_reply, register, reply_approved, to_accepted
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Role, User
from xinfang.supervision.sweep import sweep
from xinfang.testing.supervision import open_supervision
from xinfang.testing.world import World
from xinfang.workbench.queues import home_sections

Freeze = Callable[[str], object]


def _queue(user: User, key: str) -> list[Case]:
    for section in home_sections(user):
        for queue in section.queues:
            if queue.key == key:
                return [getattr(item, "case", item) for item in queue.items]
    raise AssertionError(f"no queue {key}")


def _count(user: User, key: str) -> int:
    return next(q.count for s in home_sections(user) for q in s.queues if q.key == key)


def _units(user: User) -> list[dict[str, object]]:
    from xinfang.workbench.queues import overdue_by_unit

    return overdue_by_unit(user)


def _home(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.get("/").content.decode()


def test_registrar_sees_cases_to_route_and_cases_returned_by_objection(world: World) -> None:
    waiting = register(world)
    routed = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    returned = services.case_object(actor=world.handler, case=routed, reasons="不属于本单位职责。")
    other = register(world, actor=world.other_clerk, org=world.other_county_labour)
    assert _queue(world.registrar, "to-route") == [waiting]
    assert _queue(world.registrar, "returned") == [returned]
    assert other not in _queue(world.registrar, "to-route")
    assert "to-route" not in {q.key for s in home_sections(world.handler) for q in s.queues}


def test_handler_queues_hold_their_units_cases_by_status_overdue_first(world: World, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    late = to_accepted(world)  # accepted on 3 March: the 60-day handling clock runs first
    freeze("2025-03-20 10:00")
    soon = to_accepted(world)
    to_accept = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    replied = reply_approved(actor=world.handler, case=to_accepted(world), reply=a_reply())
    closed = services.case_terminate(
        actor=world.handler,
        case=services.case_deliver(
            actor=world.handler,
            case=reply_approved(actor=world.handler, case=to_accepted(world), reply=a_reply()),
            method="in_person",
        ),
        reason="petitioner_accepted",
    )
    elsewhere = services.case_forward(actor=world.registrar, case=register(world), to_org=world.county_labour)
    freeze("2025-05-10 10:00")  # `late` is past its 60 days, `soon` is not
    assert _queue(world.handler, "to-accept") == [to_accept]
    assert _queue(world.handler, "in-progress") == [late, soon]
    assert _queue(world.handler, "to-deliver") == [replied]
    everything = {
        c.pk for key in ("to-accept", "in-progress", "to-deliver") for c in _queue(world.handler, key)
    }
    assert closed.pk not in everything and elsewhere.pk not in everything
    page = _home(world.handler)
    assert re.search(r'id="queue-in-progress">.*?class="badge badge-late">超期 1<', page, re.S)
    assert page.index(late.number) < page.index(soon.number)


def test_handler_sees_the_supervisions_awaiting_their_feedback(world: World, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    case = to_accepted(world)
    supervision = open_supervision(world, case)
    assert _queue(world.handler, "to-answer") == [supervision.case]
    assert _queue(world.other_clerk, "to-answer") == []  # another county's handler
    from xinfang.supervision.services import supervision_feedback

    supervision_feedback(
        actor=world.handler, supervision=supervision, text="已督促开发商维修，并书面答复信访人。"
    )
    assert _queue(world.handler, "to-answer") == []


def test_bureau_head_sees_overdue_by_unit_open_supervisions_and_this_week(
    world: World, freeze: Freeze
) -> None:
    freeze("2025-03-03 10:00")
    case = to_accepted(world)
    supervision = open_supervision(world, case)
    other = services.case_forward(actor=world.registrar, case=register(world), to_org=world.county_labour)
    freeze("2025-05-10 10:00")
    sweep()  # flags both overdue, as the 期限预警 page counts them
    [section] = [s for s in home_sections(world.bureau_head) if s.role == Role.BUREAU_HEAD]
    assert section.extra["overdue_units"] == [
        {"org_id": world.city_housing.pk, "name": world.city_housing.name, "count": 1},
        {"org_id": world.county_labour.pk, "name": world.county_labour.name, "count": 1},
    ]
    # A unit outside the bureau's view counts nothing there: the other county's handler sees none
    # of the city's overdue units in the flags either.
    assert other.current_org == world.county_labour
    assert world.city_housing.pk not in {u["org_id"] for u in _units(world.other_clerk)}
    assert [s.pk for s in section.queues[0].items] == [supervision.pk]
    page = _home(world.bureau_head)
    assert f"/deadlines/?tab=overdue&org={world.city_housing.pk}" in page
    assert 'href="/statistics/"' in page and "本周登记" in page


def test_leader_sees_the_overdue_and_supervised_cases_and_the_statistics_viewer_a_link(
    world: World, freeze: Freeze
) -> None:
    freeze("2025-03-03 10:00")
    late = to_accepted(world)
    freeze("2025-05-10 10:00")
    assert _queue(world.leader, "leader-overdue") == [late]
    viewer = org_services.staff_user_create(
        username="viewer", full_name="赵统计", password="Persona-Pass-2026"
    )
    org_services.membership_grant(user=viewer, org=world.city_bureau, role=Role.STATS_VIEWER)
    page = _home(viewer)
    assert "进入统计分析" in page and "本单位在办" not in page and ">类案预警" not in page


def test_the_menu_shows_only_what_the_roles_use(world: World) -> None:
    handler = _home(world.handler)
    assert "本单位在办" in handler and ">统计分析<" not in handler and ">类案预警" in handler
    head = _home(world.bureau_head)
    assert ">统计分析<" in head and ">类案预警" in head and "登记信访事项" in head


def test_mine_lists_no_closed_case(world: World) -> None:
    open_case = to_accepted(world)
    done = services.case_deliver(
        actor=world.handler,
        case=reply_approved(actor=world.handler, case=to_accepted(world), reply=a_reply()),
        method="in_person",
    )
    mine = set(cases_filtered(world.handler, mine=True))
    assert open_case in mine and done not in mine


def test_each_status_queue_shows_its_first_rows_and_counts_them_all(world: World, freeze: Freeze) -> None:
    from xinfang.workbench.queues import LIMIT

    freeze("2025-03-03 10:00")
    late = [to_accepted(world) for _ in range(2)]  # past their 60 days by May
    freeze("2025-03-20 10:00")
    waiting = [to_accepted(world) for _ in range(LIMIT)]
    routed = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    freeze("2025-05-10 10:00")
    in_progress = next(q for s in home_sections(world.handler) for q in s.queues if q.key == "in-progress")
    assert in_progress.count == LIMIT + 2
    assert [c.pk for c in in_progress.items] == [c.pk for c in [*late, *waiting][:LIMIT]]
    assert in_progress.overdue == 2
    assert _queue(world.handler, "to-accept") == [routed] and _count(world.handler, "to-deliver") == 0


def test_the_home_is_a_few_statements_per_queue(world: World) -> None:
    for _ in range(5):
        to_accepted(world)
    client = Client()
    client.force_login(world.handler)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for _ in range(10):
        to_accepted(world)
    with CaptureQueriesContext(connection) as more:
        client.get("/")
    assert len(more) == len(few) and len(few) < 40


def test_approver_sees_the_requests_waiting_for_them(world: World, freeze: Freeze) -> None:
    freeze("2025-02-03 09:00")
    case = to_accepted(world)
    assert _count(world.approver, "approvals") == 0
    services.case_request_extension(actor=world.handler, case=case, days=30, reason="需要现场测绘")
    assert _queue(world.approver, "approvals") == [case]
    html = _home(world.approver)
    assert "待审批" in html and "延期" in html and case.number in html
    # the requester holds no approver post there: no 待审批 queue at all
    assert all(q.key != "approvals" for s in home_sections(world.handler) for q in s.queues)
    services.case_approve_extension(actor=world.approver, case=case, note="同意")
    assert _count(world.approver, "approvals") == 0
