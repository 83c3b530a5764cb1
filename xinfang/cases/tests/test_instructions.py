"""领导阅批: a bureau head sends a case to a leader, the leader instructs, the unit reports back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.management import call_command

from xinfang.cases import services
from xinfang.cases.instructions import instruction_problems, rebuild_instructions
from xinfang.cases.integrity import verify
from xinfang.cases.models import Case, Instruction, InstructionState
from xinfang.cases.presentation import event_summary
from xinfang.cases.replay import replay
from xinfang.cases.selectors import (
    case_instructions,
    instructions_followed,
    instructions_to_carry_out,
    instructions_to_read,
)
from xinfang.cases.tests.helpers import register, to_accepted
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.notifications.models import Notification
from xinfang.orgs.models import Org, Role, User
from xinfang.orgs.services import membership_grant, staff_user_create
from xinfang.testing.world import World


def _leader_of(org: Org, username: str, name: str) -> User:
    user = staff_user_create(username=username, full_name=name, password="x-Pass-2026")
    membership_grant(user=user, org=org, role=Role.LEADER)
    return user


def _clean() -> None:
    problems: list[str] = []
    verify(report=problems.append)
    assert problems == []  # chains, projections, facts and instruction rows agree with the logs


def _sent(world: World, case: Case | None = None) -> Case:
    case = case or to_accepted(world)
    return services.case_send_for_instruction(
        actor=world.bureau_head, case=case, leader=world.leader, note="群众反映强烈，请领导阅示。"
    )


def _only(case: Case) -> Instruction:
    rows = case_instructions(case)
    assert len(rows) == 1
    return rows[0]


def test_sent_instructed_and_reported_back(world: World, freeze: Callable[[str], dt.datetime]) -> None:
    freeze("2025-03-03 09:00")
    case = _sent(world)
    row = _only(case)
    assert row.state == InstructionState.SENT and row.leader == world.leader
    assert row.leader_org == world.city_gov and row.sent_by_org == world.city_bureau
    assert list(instructions_to_read(world.leader)) == [row]
    assert Notification.objects.filter(user=world.leader, case=case).count() == 1

    freeze("2025-03-04 10:00")
    case = services.case_instruct(
        actor=world.leader, case=case, text="请市住建局抓紧核查，依法依规解决。", due_on=dt.date(2025, 3, 20)
    )
    row = _only(case)
    assert row.state == InstructionState.INSTRUCTED and row.unit == world.city_housing
    assert row.due_on == dt.date(2025, 3, 20) and row.text.startswith("请市住建局")
    assert list(instructions_to_read(world.leader)) == []
    assert list(instructions_followed(world.leader)) == [row]
    assert list(instructions_to_carry_out(world.handler)) == [row]
    assert list(instructions_to_carry_out(world.approver)) == [row]
    assert list(instructions_to_carry_out(world.other_clerk)) == []
    assert Notification.objects.filter(user=world.handler, case=case, text__contains="批示").exists()

    freeze("2025-03-25 10:00")  # after the due date: the report is late
    case = services.case_report_on_instruction(
        actor=world.handler, case=case, instruction=row.seq, text="已督促开发商完成墙体维修，信访人认可。"
    )
    row = _only(case)
    assert row.state == InstructionState.REPORTED and row.reported_by == world.handler
    assert row.is_late
    assert list(instructions_followed(world.leader)) == []
    assert list(instructions_to_carry_out(world.handler)) == []
    assert Notification.objects.filter(user=world.bureau_head, case=case, text__contains="落实").exists()

    kinds = list(case.events.order_by("seq").values_list("kind", flat=True))
    assert kinds[-3:] == ["sent_for_instruction", "instructed", "instruction_reported"]
    assert case.status == "accepted"  # none of the three moves the case along
    assert replay(list(case.events.order_by("seq"))).status == "accepted"
    reported = case.events.get(kind="instruction_reported")
    assert reported.payload["late"] is True and reported.payload["instruction"] == row.seq
    assert "逾期报告" in event_summary(reported.kind, reported.payload)
    _clean()


def test_a_leader_of_an_unrelated_county_is_refused(world: World) -> None:
    county_leader = _leader_of(world.county_gov, "county_leader", "赵县长")
    with pytest.raises(ServiceError, match="赵县长不是示例市信访局所属党委政府或上级机关的领导") as refused:
        services.case_send_for_instruction(
            actor=world.bureau_head, case=register(world), leader=county_leader
        )
    assert refused.value.field == "leader"
    with pytest.raises(ServiceError, match="请选择阅批的领导") as empty:
        services.case_send_for_instruction(actor=world.bureau_head, case=register(world), leader=None)
    assert empty.value.field == "leader"
    # A non-leader is no leader at all.
    with pytest.raises(ServiceError) as handler:
        services.case_send_for_instruction(
            actor=world.bureau_head, case=register(world), leader=world.handler
        )
    assert handler.value.field == "leader"


def test_a_province_leader_is_above_the_bureau_and_may_be_sent_to(world: World) -> None:
    governor = _leader_of(world.province_gov, "governor", "孙省长")
    case = services.case_send_for_instruction(actor=world.bureau_head, case=register(world), leader=governor)
    assert _only(case).leader_org == world.province_gov
    eligible = set(services.instruction_leaders(world.city_bureau, case))
    assert eligible == {world.leader, governor}
    # The county bureau works for the county government and those above it, the city's among them;
    # the city bureau does not work for a county.
    county_leader = _leader_of(world.county_gov, "county_leader", "赵县长")
    assert set(services.instruction_leaders(world.county_bureau)) == {world.leader, governor, county_leader}
    assert county_leader not in set(services.instruction_leaders(world.city_bureau))


def test_only_a_bureau_head_sends(world: World) -> None:
    case = register(world)
    for actor in (world.registrar, world.handler, world.leader):
        with pytest.raises(NotAllowed, match="只有信访部门负责人可以呈送领导阅批"):
            services.case_send_for_instruction(actor=actor, case=case, leader=world.leader)
    assert not Instruction.objects.exists() and case.events.count() == 1


def test_not_twice_to_the_same_leader_while_unanswered(world: World) -> None:
    case = _sent(world)
    with pytest.raises(InvalidState, match="尚未批示，不能重复呈送") as twice:
        _sent(world, case)
    assert twice.value.field == "leader"
    services.case_instruct(actor=world.leader, case=case, text="阅。", due_on=None)
    case = _sent(world, case)  # answered: it may be sent again
    assert [r.state for r in case_instructions(case)] == ["instructed", "sent"]
    _clean()


def test_who_may_instruct(world: World) -> None:
    case = _sent(world)
    for actor in (world.handler, world.bureau_head):
        with pytest.raises(NotAllowed, match="只有领导可以作出批示"):
            services.case_instruct(actor=actor, case=case, text="同意。")
    stranger = _leader_of(Org.objects.get(name="河口县人民政府"), "hekou_leader", "钱县长")
    with pytest.raises(NotAllowed, match="无权查看该信访件"):
        services.case_instruct(actor=stranger, case=case, text="同意。")
    # A leader who sees the case may instruct unprompted; the sending to 陈副市长 still waits.
    governor = _leader_of(world.province_gov, "governor", "孙省长")
    case = services.case_instruct(actor=governor, case=case, text="省政府关注此事，请妥善处理。")
    rows = case_instructions(case)
    assert [(r.leader, r.state) for r in rows] == [(world.leader, "sent"), (governor, "instructed")]
    assert rows[1].sent_by is None and rows[1].leader_org == world.province_gov
    _clean()


def test_text_and_due_date_rules(world: World, freeze: Callable[[str], dt.datetime]) -> None:
    freeze("2025-03-03 09:00")
    case = _sent(world)
    cases = [
        ({"text": "  "}, "text", "请填写批示内容"),
        ({"text": "甲" * 2001}, "text", "不能超过 2000 个字"),
        ({"text": "阅。", "due_on": dt.date(2025, 3, 2)}, "due_on", "不能早于今天"),
        ({"text": "阅。", "due_on": dt.date(2026, 3, 4)}, "due_on", "最迟为 2026-03-03"),
    ]
    for kwargs, field, message in cases:
        with pytest.raises(ServiceError, match=message) as refused:
            services.case_instruct(actor=world.leader, case=case, **kwargs)
        assert refused.value.field == field
    assert _only(case).state == InstructionState.SENT  # nothing half-written
    case = services.case_instruct(
        actor=world.leader, case=case, text="今日办结。", due_on=dt.date(2025, 3, 3)
    )
    assert _only(case).due_on == dt.date(2025, 3, 3)


def test_only_the_addressed_unit_reports(world: World) -> None:
    case = _sent(world)
    with pytest.raises(InvalidState, match="陈副市长尚未批示") as early:
        services.case_report_on_instruction(
            actor=world.handler, case=case, instruction=_only(case).seq, text="x"
        )
    assert early.value.field == "instruction"
    case = services.case_instruct(actor=world.leader, case=case, text="请核查。")
    seq = _only(case).seq
    for actor in (world.other_clerk, world.registrar, world.leader):
        with pytest.raises(NotAllowed, match="示例市住房和城乡建设局"):
            services.case_report_on_instruction(actor=actor, case=case, instruction=seq, text="已办。")
    with pytest.raises(ServiceError, match="本件没有该领导批示") as unknown:
        services.case_report_on_instruction(actor=world.handler, case=case, instruction=999, text="已办。")
    assert unknown.value.field == "instruction"
    with pytest.raises(ServiceError, match="请填写落实情况") as empty:
        services.case_report_on_instruction(actor=world.handler, case=case, instruction=seq, text="")
    assert empty.value.field == "text"
    case = services.case_report_on_instruction(
        actor=world.approver, case=case, instruction=seq, text="已办。"
    )
    assert not _only(case).is_late  # no due date
    with pytest.raises(InvalidState, match="已报告，不能重复报告"):
        services.case_report_on_instruction(actor=world.handler, case=case, instruction=seq, text="再报。")
    _clean()


def test_a_bureau_holding_the_case_is_the_unit_addressed(world: World) -> None:
    case = services.case_send_for_instruction(
        actor=world.bureau_head, case=register(world), leader=world.leader
    )
    case = services.case_instruct(actor=world.leader, case=case, text="请信访局先行约谈信访人。")
    assert _only(case).unit == world.city_bureau
    assert list(instructions_to_carry_out(world.bureau_head)) == [_only(case)]
    # The case moves on; the instruction stays with the unit it was addressed to.
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    assert list(instructions_to_carry_out(world.handler)) == []
    case = services.case_report_on_instruction(
        actor=world.bureau_head, case=case, instruction=_only(case).seq, text="已约谈，并转住建局办理。"
    )
    _clean()


def test_closed_cases_are_neither_sent_nor_instructed_on(world: World) -> None:
    closed = services.case_decline(
        actor=world.bureau_head,
        case=_sent(world, register(world)),
        legal_channel="litigation",
        reasons="属于民事纠纷，应通过诉讼解决。",
    )
    with pytest.raises(InvalidState, match="当前状态为“不予受理”，不能呈送领导阅批"):
        services.case_send_for_instruction(actor=world.bureau_head, case=closed, leader=world.leader)
    with pytest.raises(InvalidState, match="不能领导批示"):
        services.case_instruct(actor=world.leader, case=closed, text="阅。")
    assert _only(closed).state == InstructionState.SENT
    _clean()


def test_a_report_after_the_case_closed(world: World) -> None:
    case = services.case_send_for_instruction(
        actor=world.bureau_head, case=register(world), leader=world.leader
    )
    case = services.case_instruct(actor=world.leader, case=case, text="请信访局依法告知信访人。")
    case = services.case_decline(
        actor=world.bureau_head,
        case=case,
        legal_channel="litigation",
        reasons="属于民事纠纷，应通过诉讼解决。",
    )
    assert case.closed_at is not None
    case = services.case_report_on_instruction(
        actor=world.bureau_head, case=case, instruction=_only(case).seq, text="已书面告知信访人通过诉讼解决。"
    )
    assert _only(case).state == InstructionState.REPORTED
    _clean()


def test_the_check_finds_an_edited_row_and_the_rebuild_mends_it(world: World) -> None:
    case = _sent(world)
    case = services.case_instruct(actor=world.leader, case=case, text="请核查。", due_on=None)
    Instruction.objects.filter(case=case).update(text="已改动", state=InstructionState.REPORTED)
    problems = instruction_problems()
    assert len(problems) == 1 and "状态" in problems[0] and "批示内容" in problems[0]
    Instruction.objects.filter(case=case).delete()
    assert "缺少" in instruction_problems(case.number)[0]
    assert rebuild_instructions() == 1
    assert instruction_problems() == []
    Instruction.objects.filter(case=case).update(due_on=dt.date(2030, 1, 1))
    call_command("rebuild_instructions")
    assert instruction_problems() == []
    assert _only(case).text == "请核查。"
    _clean()


def test_timeline_texts(world: World) -> None:
    case = _sent(world)
    case = services.case_instruct(actor=world.leader, case=case, text="请核查。", due_on=None)
    sent, instructed = case.events.filter(kind__in=["sent_for_instruction", "instructed"]).order_by("seq")
    assert (
        event_summary(sent.kind, sent.payload)
        == "呈送领导阅批：陈副市长（示例市人民政府）；群众反映强烈，请领导阅示。"
    )
    assert (
        event_summary(instructed.kind, instructed.payload)
        == "领导批示：请核查。；落实单位 示例市住房和城乡建设局"
    )
