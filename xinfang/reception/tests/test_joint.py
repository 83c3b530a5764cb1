"""联合接访: convening the stationed units' duty leaders, attendance, the conclusion (现场解决 with the
lead unit's one reply, 交办, 转送), every refusal, and the reads and figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from xinfang.cases import services as case_services
from xinfang.cases.models import Case, CaseUnit, Status
from xinfang.cases.presentation import event_summary
from xinfang.cases.tests.helpers import a_reply, register
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.reception.models import (
    DutyShift,
    Hall,
    JointOutcome,
    JointReception,
    JointRole,
    JointUnit,
    StationedUnit,
)
from xinfang.reception.selectors.joint import (
    case_joint_receptions,
    joint_detail,
    joint_figures,
    joint_receptions_of,
    joint_units,
)
from xinfang.reception.services import (
    joint_conclude,
    joint_convene,
    joint_on_spot_reasons,
    joint_record_attendance,
    ticket_issue,
)
from xinfang.reception.tests.helpers import HallWorld, build_hall_world
from xinfang.reception.tests.queue_helpers import a_person, registered_case
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]
LEAD_REASONS = "经牵头单位青山县人力资源和社会保障局会同青山县住房和城乡建设局现场研究，"


@pytest.fixture
def hw(world: World, freeze: Freeze) -> HallWorld:
    freeze("2025-03-10 09:00")
    return build_hall_world(world)


@pytest.fixture
def visit(hw: HallWorld, world: World) -> Case:
    return registered_case(hw, world, headcount=3)[1]


def _convene(hw: HallWorld, case: Case, **overrides: object) -> JointReception:
    fields: dict[str, object] = {
        "actor": hw.clerk,
        "hall": hw.hall,
        "case": case,
        "lead_org": hw.labour,
        "assisting": [(hw.housing, "核查车位规划和销售情况")],
        "plan": "人社局牵头，住建局核查规划。",
    }
    fields.update(overrides)
    return joint_convene(**fields)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the whole path


def test_from_the_number_to_the_reply_on_the_spot(hw: HallWorld, world: World, freeze: Freeze) -> None:
    people = [a_person(name="代表甲", id_number=""), a_person(name="代表乙", id_number="")]
    ticket, case = registered_case(hw, world, headcount=6, people=people)
    joint = _convene(hw, case, ticket=ticket)
    freeze("2025-03-10 09:40")
    joint_record_attendance(actor=hw.clerk, joint=joint, org=hw.labour)  # the duty leader, as rostered
    joint_record_attendance(actor=hw.clerk, joint=joint, org=hw.housing, attendee="冯科长的副手 蒋干事")
    freeze("2025-03-10 11:00")
    done = joint_conclude(
        actor=hw.clerk,
        joint=joint,
        outcome=JointOutcome.ON_SPOT,
        note="当场答复，开发商承诺一周内恢复公共车位。",
        reply=a_reply(reasons="开发商出售公共车位违反规划，应予恢复。"),
    )
    assert done.outcome == JointOutcome.ON_SPOT and done.concluded_by == hw.clerk
    assert done.concluded_at is not None and done.outcome_note.startswith("当场答复")
    case.refresh_from_db()
    assert case.status == Status.REPLIED
    kinds = list(case.events.order_by("seq").values_list("kind", flat=True))
    assert kinds == ["registered", "joint_received", "answered"]
    noted = case.events.get(kind="joint_received")
    assert noted.org == world.county_bureau and noted.payload["lead_org_name"] == "青山县人力资源和社会保障局"
    assert noted.payload["assisting"] == [
        {"id": hw.housing.pk, "name": "青山县住房和城乡建设局", "task": "核查车位规划和销售情况"}
    ]
    assert event_summary(noted.kind, noted.payload) == (
        "联合接访：青山县群众来访接待大厅，牵头单位青山县人力资源和社会保障局，配合单位青山县住房和城乡建设局"
    )
    answered = case.events.get(kind="answered")
    assert answered.payload["reasons"] == LEAD_REASONS + "开发商出售公共车位违反规划，应予恢复。"
    assert answered.payload["outcome"] == "support"
    units = joint_units(done)
    assert [(u.org, u.role, u.attended, u.attendee) for u in units] == [
        (hw.labour, JointRole.LEAD, True, "郑科长"),
        (hw.housing, JointRole.ASSIST, True, "冯科长的副手 蒋干事"),
    ]
    assert done.ticket == ticket


# ---------------------------------------------------------------- convening


def test_convening_links_todays_duty_leaders(hw: HallWorld, visit: Case) -> None:
    joint = _convene(hw, visit)
    lead, assist = joint_units(joint)
    assert lead.shift == DutyShift.objects.get(org=hw.labour) and lead.attendee == "郑科长"
    assert assist.shift == DutyShift.objects.get(org=hw.housing) and assist.task == "核查车位规划和销售情况"
    assert not lead.attended and not assist.attended
    assert joint.plan == "人社局牵头，住建局核查规划。" and joint.outcome == JointOutcome.PENDING
    assert joint.convened_by == hw.clerk and joint.hall == hw.hall


def test_a_unit_without_a_duty_leader_today_is_summoned_without_one(hw: HallWorld, visit: Case) -> None:
    DutyShift.objects.filter(org=hw.housing).delete()
    joint = _convene(hw, visit)
    assist = JointUnit.objects.get(joint=joint, org=hw.housing)
    assert assist.shift is None and assist.attendee == ""


def test_the_units_are_two_or_more_distinct_and_stationed_today(
    hw: HallWorld, world: World, visit: Case
) -> None:
    cases = [
        ({"assisting": []}, "assisting", "至少需要一个配合单位"),
        ({"assisting": [(hw.labour, "协助")]}, "assisting[0].org", "已是牵头单位"),
        ({"assisting": [(hw.housing, "甲"), (hw.housing, "乙")]}, "assisting[1].org", "重复"),
        ({"assisting": [(hw.housing, " ")]}, "assisting[0].task", "请填写青山县住房和城乡建设局承担的任务"),
        ({"assisting": [(hw.housing, "任" * 201)]}, "assisting[0].task", "不能超过 200 个字"),
        ({"assisting": [(world.city_housing, "核查")]}, "assisting[0].org", "今天未在"),
        ({"assisting": ["住建局"]}, "assisting[0]", "配合单位应为"),
        ({"assisting": [("住建局", "核查")]}, "assisting[0].org", "请选择配合单位"),
        ({"lead_org": world.city_housing}, "lead_org", "不能作为牵头单位"),
        ({"lead_org": None}, "lead_org", "请选择牵头单位"),
        ({"plan": "案" * 20001}, "plan", "不能超过"),
    ]
    for overrides, field, message in cases:
        with pytest.raises(ServiceError, match=message) as caught:
            _convene(hw, visit, **overrides)
        assert caught.value.field == field, overrides
    StationedUnit.objects.filter(org=hw.housing).update(until=dt.date(2025, 3, 9))
    with pytest.raises(ServiceError, match="今天未在"):
        _convene(hw, visit)
    assert not JointReception.objects.exists()
    assert not visit.events.filter(kind="joint_received").exists()


def test_one_open_joint_reception_per_case(hw: HallWorld, visit: Case) -> None:
    first = _convene(hw, visit)
    with pytest.raises(InvalidState, match="已有进行中的联合接访") as caught:
        _convene(hw, visit)
    assert caught.value.field == "case"
    joint_conclude(actor=hw.clerk, joint=first, outcome=JointOutcome.FORWARDED, note="转人社局办理。")
    # Concluded, a later joint reception of the same case (a new visit) may be convened.
    assert _convene(hw, visit).pk != first.pk


def test_who_may_convene_and_about_which_case(hw: HallWorld, world: World, visit: Case) -> None:
    with pytest.raises(NotAllowed, match="可以组织联合接访"):
        _convene(hw, visit, actor=hw.labour_leader)
    with pytest.raises(NotAllowed):
        _convene(hw, visit, actor=world.other_clerk)
    elsewhere = register(world, problem_region=world.other_county, subject="河口县某企业欠薪")
    with pytest.raises(NotAllowed, match="无权查看信访件") as caught:
        _convene(hw, elsewhere)
    assert caught.value.field == "case"
    declined = register(world, org=world.county_bureau, actor=hw.clerk)
    case_services.case_decline(
        actor=hw.clerk, case=declined, legal_channel="litigation", reasons="属于民事纠纷，应通过诉讼解决。"
    )
    with pytest.raises(InvalidState, match="不能组织联合接访"):
        _convene(hw, declined)
    hw.hall.is_active = False
    hw.hall.save()
    with pytest.raises(ServiceError, match="已停用"):
        _convene(hw, visit)


def test_the_ticket_must_be_of_the_hall_and_of_this_case(hw: HallWorld, world: World, visit: Case) -> None:
    other_hall = Hall.objects.create(
        org=world.county_bureau, name="青山县信访局二楼接待室", ticket_prefix="C"
    )
    foreign = ticket_issue(actor=hw.clerk, hall=other_hall)
    with pytest.raises(ServiceError, match="不是青山县群众来访接待大厅的号") as caught:
        _convene(hw, visit, ticket=foreign)
    assert caught.value.field == "ticket"
    ticket, _ = registered_case(hw, world)
    with pytest.raises(ServiceError, match="已登记为另一件信访件"):
        _convene(hw, visit, ticket=ticket)
    waiting = ticket_issue(actor=hw.clerk, hall=hw.hall)
    assert _convene(hw, visit, ticket=waiting).ticket == waiting


# ---------------------------------------------------------------- attendance


def test_attendance_records_who_came_or_that_nobody_did(hw: HallWorld, world: World, visit: Case) -> None:
    joint = _convene(hw, visit)
    DutyShift.objects.filter(org=hw.housing).delete()
    JointUnit.objects.filter(joint=joint, org=hw.housing).update(attendee="")
    with pytest.raises(ServiceError, match="请填写到场人员姓名") as caught:
        joint_record_attendance(actor=hw.clerk, joint=joint, org=hw.housing)
    assert caught.value.field == "attendee"
    with pytest.raises(ServiceError, match="不能超过 64 个字"):
        joint_record_attendance(actor=hw.clerk, joint=joint, org=hw.housing, attendee="名" * 65)
    absent = joint_record_attendance(actor=hw.clerk, joint=joint, org=hw.housing, attended=False)
    assert not absent.attended and absent.attendee == ""
    came = joint_record_attendance(actor=hw.clerk, joint=joint, org=hw.labour, attendee=" 郑科长 ")
    assert came.attended and came.attendee == "郑科长"
    with pytest.raises(ServiceError, match="不是本次联合接访的参加单位") as caught:
        joint_record_attendance(actor=hw.clerk, joint=joint, org=world.city_housing, attendee="某人")
    assert caught.value.field == "org"
    with pytest.raises(NotAllowed):
        joint_record_attendance(actor=hw.labour_leader, joint=joint, org=hw.labour, attendee="郑科长")


def test_attendance_is_closed_with_the_joint_reception(hw: HallWorld, visit: Case) -> None:
    joint = _convene(hw, visit)
    joint_conclude(actor=hw.clerk, joint=joint, outcome=JointOutcome.FORWARDED, note="转人社局办理。")
    with pytest.raises(InvalidState, match="不能再修改"):
        joint_record_attendance(actor=hw.clerk, joint=joint, org=hw.labour, attendee="郑科长")


# ---------------------------------------------------------------- conclusion


def test_on_the_spot_needs_the_lead_unit_present_and_a_full_reply(hw: HallWorld, visit: Case) -> None:
    joint = _convene(hw, visit)
    with pytest.raises(InvalidState, match="牵头单位青山县人力资源和社会保障局的人员未到场"):
        joint_conclude(
            actor=hw.clerk, joint=joint, outcome=JointOutcome.ON_SPOT, note="现场答复。", reply=a_reply()
        )
    joint_record_attendance(actor=hw.clerk, joint=joint, org=hw.labour)
    with pytest.raises(ServiceError, match="现场解决须由牵头单位出具答复意见") as caught:
        joint_conclude(actor=hw.clerk, joint=joint, outcome=JointOutcome.ON_SPOT, note="现场答复。")
    assert caught.value.field == "reply"
    with pytest.raises(ServiceError, match="法律依据") as caught:
        joint_conclude(
            actor=hw.clerk,
            joint=joint,
            outcome=JointOutcome.ON_SPOT,
            note="现场答复。",
            reply=a_reply(legal_basis=""),
        )
    assert caught.value.field == "reply.legal_basis"
    with pytest.raises(ServiceError, match="处理意见") as caught:
        joint_conclude(
            actor=hw.clerk,
            joint=joint,
            outcome=JointOutcome.ON_SPOT,
            note="现场答复。",
            reply=a_reply(outcome="x"),
        )
    assert caught.value.field == "reply.outcome"
    joint.refresh_from_db()
    assert joint.outcome == JointOutcome.PENDING
    visit.refresh_from_db()
    assert visit.status == Status.REGISTERED


def test_on_the_spot_only_for_a_new_visit_at_the_hall(hw: HallWorld, world: World) -> None:
    routed = register(world, org=world.county_bureau, actor=hw.clerk)
    joint = _convene(hw, routed)
    case_services.case_forward(actor=hw.clerk, case=routed, to_org=hw.housing)
    joint_record_attendance(actor=hw.clerk, joint=joint, org=hw.labour)
    with pytest.raises(InvalidState, match="请选择交办或转送") as caught:
        joint_conclude(
            actor=hw.clerk, joint=joint, outcome=JointOutcome.ON_SPOT, note="现场答复。", reply=a_reply()
        )
    assert caught.value.field == "outcome"


def test_the_lead_reasons_are_not_prefixed_twice(hw: HallWorld, visit: Case) -> None:
    joint = _convene(hw, visit)
    text = LEAD_REASONS + "应予恢复。"
    assert joint_on_spot_reasons(joint, text) == text
    assert joint_on_spot_reasons(joint, "应予恢复。") == text


def test_assigning_gives_the_case_to_the_lead_with_the_others_assisting(hw: HallWorld, visit: Case) -> None:
    joint = _convene(hw, visit)
    with pytest.raises(ServiceError, match="交办须填写办结报告期限") as caught:
        joint_conclude(actor=hw.clerk, joint=joint, outcome=JointOutcome.ASSIGNED, note="交人社局办理。")
    assert caught.value.field == "report_due"
    with pytest.raises(ServiceError, match="办结报告期限应晚于今天") as caught:
        joint_conclude(
            actor=hw.clerk,
            joint=joint,
            outcome=JointOutcome.ASSIGNED,
            note="交人社局办理。",
            report_due=dt.date(2025, 3, 10),
        )
    assert caught.value.field == "report_due"
    done = joint_conclude(
        actor=hw.clerk,
        joint=joint,
        outcome=JointOutcome.ASSIGNED,
        note="交人社局牵头办理，住建局配合。",
        report_due=dt.date(2025, 4, 10),
    )
    assert done.outcome == JointOutcome.ASSIGNED
    visit.refresh_from_db()
    assert visit.status == Status.ROUTED and visit.current_org == hw.labour
    active = {(u.org_id, u.role) for u in CaseUnit.objects.filter(case=visit, is_active=True)}
    assert active == {(hw.labour.pk, CaseUnit.Role.LEAD), (hw.housing.pk, CaseUnit.Role.ASSIST)}
    assigned = visit.events.get(kind="assigned")
    assert assigned.payload["report_due"] == "2025-04-10"
    assert assigned.payload["note"] == "联合接访交办：交人社局牵头办理，住建局配合。"
    # The lead unit now gives the one reply in the normal workflow; it sees the joint reception.
    assert joint_detail(hw.labour_leader, joint.pk) == done


def test_forwarding_to_the_lead(hw: HallWorld, visit: Case) -> None:
    joint = _convene(hw, visit)
    joint_conclude(actor=hw.clerk, joint=joint, outcome=JointOutcome.FORWARDED, note="转人社局办理。")
    visit.refresh_from_db()
    assert visit.status == Status.ROUTED and visit.current_org == hw.labour
    assert visit.events.get(kind="forwarded").payload["assisting"] == [
        {"id": hw.housing.pk, "name": "青山县住房和城乡建设局"}
    ]


def test_a_conclusion_is_given_once_with_a_known_outcome_and_a_note(hw: HallWorld, visit: Case) -> None:
    joint = _convene(hw, visit)
    with pytest.raises(ServiceError, match="请选择结果") as caught:
        joint_conclude(actor=hw.clerk, joint=joint, outcome="pending", note="x")
    assert caught.value.field == "outcome"
    with pytest.raises(ServiceError, match="请填写结果说明") as caught:
        joint_conclude(actor=hw.clerk, joint=joint, outcome=JointOutcome.FORWARDED, note=" ")
    assert caught.value.field == "note"
    with pytest.raises(NotAllowed):
        joint_conclude(actor=hw.labour_leader, joint=joint, outcome=JointOutcome.FORWARDED, note="转。")
    joint_conclude(actor=hw.clerk, joint=joint, outcome=JointOutcome.FORWARDED, note="转人社局办理。")
    with pytest.raises(InvalidState, match="已于 2025-03-10 09:00 结束（转送）"):
        joint_conclude(actor=hw.clerk, joint=joint, outcome=JointOutcome.FORWARDED, note="再转。")


# ---------------------------------------------------------------- reads and figures


def test_a_halls_joint_receptions_by_month_with_their_figures(
    hw: HallWorld, world: World, freeze: Freeze
) -> None:
    freeze("2025-02-28 16:30")  # 08:30 UTC: still February in Beijing
    february = register(world, org=world.county_bureau, actor=hw.clerk)
    DutyShift.objects.update(on=dt.date(2025, 2, 28))
    old = _convene(hw, february)
    freeze("2025-03-10 09:00")
    march = [registered_case(hw, world)[1] for _ in range(3)]
    joints = [_convene(hw, case) for case in march]
    for joint in joints[:2]:
        joint_record_attendance(actor=hw.clerk, joint=joint, org=hw.labour, attendee="郑科长")
        joint_conclude(
            actor=hw.clerk, joint=joint, outcome=JointOutcome.ON_SPOT, note="现场答复。", reply=a_reply()
        )
    joint_conclude(actor=hw.clerk, joint=old, outcome=JointOutcome.FORWARDED, note="转人社局办理。")
    in_march = joint_receptions_of(hw.clerk, hw.hall, month=dt.date(2025, 3, 1))
    assert [j.pk for j in in_march] == [j.pk for j in reversed(joints)]
    figures = joint_figures(in_march)
    assert (figures.batches, figures.concluded, figures.on_spot) == (3, 2, 2)
    assert figures.on_spot_rate == 100.0
    all_time = joint_figures(joint_receptions_of(hw.clerk, hw.hall))
    assert (all_time.batches, all_time.concluded, all_time.on_spot, all_time.forwarded) == (4, 3, 2, 1)
    assert all_time.on_spot_rate == 66.7
    assert [j.pk for j in joint_receptions_of(hw.clerk, hw.hall, month=dt.date(2025, 2, 1))] == [old.pk]
    assert joint_figures(JointReception.objects.none()).on_spot_rate is None


def test_a_joint_reception_is_seen_with_its_hall_and_its_case(
    hw: HallWorld, world: World, visit: Case
) -> None:
    joint = _convene(hw, visit)
    assert joint_detail(hw.clerk, joint.pk) == joint
    assert joint_detail(world.registrar, joint.pk) == joint  # the city bureau oversees the county
    assert joint_detail(world.other_clerk, joint.pk) is None
    # The stationed unit sees the hall, but not the case until it is given to it.
    assert joint_detail(hw.labour_leader, joint.pk) is None
    assert list(case_joint_receptions(hw.clerk, visit.pk)) == [joint]
    assert list(case_joint_receptions(world.other_clerk, visit.pk)) == []
