"""领导阅批 on the pages: the forms on the case page, the case's instructions, the queues and the list."""

from __future__ import annotations

import datetime as dt
import re

from xinfang.cases import services
from xinfang.cases.models import Case, InstructionState
from xinfang.cases.tests.helpers import to_accepted
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import Role, User
from xinfang.orgs.services import membership_grant, staff_user_create
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import World


def _html(user: object, url: str) -> str:
    response = _client(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def _queue(html: str, key: str) -> str:
    found = re.search(rf'<section class="queue[^"]*" id="queue-{key}">(.*?)</section>', html, re.S)
    assert found, key
    return found.group(1)


def _sent(world: World) -> Case:
    return services.case_send_for_instruction(
        actor=world.bureau_head, case=to_accepted(world), leader=world.leader, note="请领导阅示"
    )


def test_the_bureau_head_sends_from_the_case_page_and_only_eligible_leaders_are_offered(world: World) -> None:
    case = to_accepted(world)
    county_leader = staff_user_create(username="county_leader", full_name="赵县长", password="x-Pass-2026")
    membership_grant(user=county_leader, org=world.county_gov, role=Role.LEADER)
    page = _html(world.bureau_head, f"/cases/{case.pk}/")
    assert 'data-action="send_for_instruction"' in page
    for user in (world.handler, world.registrar):
        assert 'data-action="send_for_instruction"' not in _html(user, f"/cases/{case.pk}/")
    form = _html(world.bureau_head, f"/cases/{case.pk}/act/send_for_instruction/")
    assert "陈副市长（示例市人民政府）" in form and "赵县长" not in form
    # A leader posted by hand who is not offered is refused by the service, next to the field.
    response = _client(world.bureau_head).post(
        f"/cases/{case.pk}/act/send_for_instruction/", {"leader": county_leader.pk, "note": ""}
    )
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    response = _client(world.bureau_head).post(
        f"/cases/{case.pk}/act/send_for_instruction/", {"leader": world.leader.pk, "note": "请领导阅示"}
    )
    assert response.status_code == 302
    assert case.instructions.get().state == InstructionState.SENT
    # Sent and waiting: not offered again.
    again = _html(world.bureau_head, f"/cases/{case.pk}/act/send_for_instruction/")
    assert "陈副市长（示例市人民政府）" not in again


def test_the_leader_reads_on_the_home_and_instructs_with_a_due_date(world: World) -> None:
    case = _sent(world)
    home = _html(world.leader, "/")
    to_read = _queue(home, "instructions-to-read")
    assert case.number in to_read and "示例市信访局呈批：请领导阅示" in to_read
    assert "No 阅批" not in home
    page = _html(world.leader, f"/cases/{case.pk}/")
    assert 'data-action="instruct"' in page and 'id="instructions"' in page and "待阅批" in page
    far = (local_date() + dt.timedelta(days=400)).isoformat()
    response = _client(world.leader).post(
        f"/cases/{case.pk}/act/instruct/", {"text": "请核查", "due_on": far}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "批示之日起一年内" in body
    due = local_date() + dt.timedelta(days=10)
    response = _client(world.leader).post(
        f"/cases/{case.pk}/act/instruct/", {"text": "请市住建局抓紧核查。", "due_on": due.isoformat()}
    )
    assert response.status_code == 302
    home = _html(world.leader, "/")
    assert case.number not in _queue(home, "instructions-to-read")
    followed = _queue(home, "instructions-followed")
    assert case.number in followed and f"落实期限 {due:%Y-%m-%d}" in followed


def test_the_unit_sees_it_in_its_queue_and_reports_back(world: World) -> None:
    case = _sent(world)
    due = local_date() + dt.timedelta(days=3)
    services.case_instruct(actor=world.leader, case=case, text="请抓紧办理。", due_on=due)
    home = _html(world.handler, "/")
    queue = _queue(home, "instructions-to-carry-out")
    assert case.number in queue and "陈副市长批示：请抓紧办理。" in queue
    assert case.number not in _queue(_html(world.other_clerk, "/"), "instructions-to-carry-out")
    page = _html(world.handler, f"/cases/{case.pk}/")
    assert 'data-action="report_on_instruction"' in page and "请抓紧办理。" in page
    assert 'data-action="report_on_instruction"' not in _html(world.bureau_head, f"/cases/{case.pk}/")
    seq = case.instructions.get().seq
    empty = _client(world.handler).post(f"/cases/{case.pk}/act/report_on_instruction/", {"instruction": seq})
    assert empty.status_code == 200 and "请填写落实情况" in empty.content.decode()
    response = _client(world.handler).post(
        f"/cases/{case.pk}/act/report_on_instruction/",
        {"instruction": seq, "text": "已组织维修，信访人认可。"},
    )
    assert response.status_code == 302
    page = _html(world.handler, f"/cases/{case.pk}/")
    assert "已落实" in page and "已组织维修，信访人认可。" in page
    assert 'data-action="report_on_instruction"' not in page
    assert case.number not in _queue(_html(world.handler, "/"), "instructions-to-carry-out")
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S)
    assert timeline and "报告批示落实情况：已组织维修，信访人认可。；按期报告" in timeline.group(1)


def test_overdue_instructions_come_first_and_are_marked(world: World, freeze: object) -> None:
    freeze("2025-03-03 09:00")  # type: ignore[operator]
    first, second = _sent(world), _sent(world)
    services.case_instruct(actor=world.leader, case=first, text="甲", due_on=dt.date(2025, 3, 20))
    services.case_instruct(actor=world.leader, case=second, text="乙", due_on=dt.date(2025, 3, 5))
    freeze("2025-03-10 09:00")  # type: ignore[operator]
    queue = _queue(_html(world.handler, "/"), "instructions-to-carry-out")
    assert queue.index(second.number) < queue.index(first.number)
    assert queue.count("逾期") == 1
    listing = _html(world.leader, "/instructions/")
    assert "2025-03-05（已逾期）" in listing and "2025-03-20" in listing


def test_the_instruction_list_and_the_access_policy(world: World) -> None:
    case = _sent(world)
    assert case.number in _html(world.leader, "/instructions/")
    mine = _html(world.bureau_head, "/instructions/")
    assert case.number in mine  # 我呈批的
    assert case.number not in _html(world.other_clerk, "/instructions/")
    assert _client(world.other_clerk).get(f"/cases/{case.pk}/act/instruct/").status_code == 404
    citizen = _client(world.citizen).get("/instructions/")
    assert citizen.status_code in (302, 403)


def test_a_leader_of_nothing_gets_no_instruct_button(world: World) -> None:
    case = to_accepted(world)
    page = _html(world.leader, f"/cases/{case.pk}/")
    assert 'data-action="instruct"' in page  # may instruct unprompted: the case is in view
    clerk: User = world.handler
    assert 'data-action="instruct"' not in _html(clerk, f"/cases/{case.pk}/")
