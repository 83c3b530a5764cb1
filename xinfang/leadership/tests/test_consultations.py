"""会商研判: recording a consultation, its tasks (add, complete, reopen), who sees what, and every refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register, to_accepted
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.leadership.models import Consultation, ConsultationTask
from xinfang.leadership.selectors.consultations import (
    case_consultations,
    consultation_cases,
    consultation_detail,
    consultation_hidden_cases,
    consultation_tasks,
    consultations_visible_to,
    open_tasks_for,
)
from xinfang.leadership.services.consultations import (
    consultation_add_task,
    consultation_record,
    consultation_task_complete,
    consultation_task_reopen,
)
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Org, Role, User
from xinfang.testing.world import PASSWORD, World

D = dt.date
Freeze = Callable[[str], dt.datetime]


@pytest.fixture
def cases(world: World, freeze: Freeze) -> list[Case]:
    freeze("2025-03-03 10:00")
    first = to_accepted(world)  # handled by 示例市住房和城乡建设局
    second = to_accepted(world, register(world, subject="同一小区另一栋楼墙体开裂"))
    freeze("2025-03-10 10:00")
    return [first, second]


def _staff(username: str, org: Org, role: str) -> User:
    user = org_services.staff_user_create(username=username, full_name=username, password=PASSWORD)
    org_services.membership_grant(user=user, org=org, role=role)
    return user


def record(world: World, cases: list[Case], **overrides: Any) -> Consultation:
    """The city bureau's registrar records a meeting held on 7 March with housing and county labour."""
    fields: dict[str, Any] = {
        "actor": world.registrar,
        "org": world.city_bureau,
        "held_on": D(2025, 3, 7),
        "topic": "某小区房屋质量类案会商",
        "cases": cases,
        "units": [world.city_housing, world.county_labour],
        "chair": "王局长",
        "decision": "由市住建局牵头督促开发商维修，县人社局核查农民工工资问题。",
        "tasks": [
            ("督促开发商制定维修方案", world.city_housing, D(2025, 3, 14)),
            ("核查欠薪情况", world.county_labour, D(2025, 3, 21)),
        ],
    }
    fields.update(overrides)
    return consultation_record(**fields)


def _field(exc: pytest.ExceptionInfo[ServiceError]) -> str | None:
    return exc.value.field


# ---------------------------------------------------------------- recording


def test_recording_writes_the_meeting_its_tasks_and_a_step_in_each_case(
    world: World, cases: list[Case]
) -> None:
    consultation = record(world, cases)
    assert consultation.org == world.city_bureau and consultation.created_by == world.registrar
    assert set(consultation.cases.all()) == set(cases)
    assert set(consultation.units.all()) == {world.city_housing, world.county_labour}
    tasks = list(consultation.tasks.order_by("due_on"))
    assert [(t.title, t.owner_org, t.due_on, t.done_on) for t in tasks] == [
        ("督促开发商制定维修方案", world.city_housing, D(2025, 3, 14), None),
        ("核查欠薪情况", world.county_labour, D(2025, 3, 21), None),
    ]
    for case in cases:
        event = case.events.get(kind="consulted")
        assert event.payload == {"consultation": consultation.pk, "topic": "某小区房屋质量类案会商"}
        assert event.org == world.city_bureau and event.actor == world.registrar


def test_a_meeting_may_give_out_no_task_and_a_task_may_go_to_the_convening_organ(
    world: World, cases: list[Case]
) -> None:
    assert record(world, cases, tasks=[]).tasks.count() == 0
    own = record(world, cases, tasks=[("汇总情况报市政府", world.city_bureau, D(2025, 3, 7))])
    assert own.tasks.get().owner_org == world.city_bureau  # due on the day of the meeting is allowed


def test_a_party_committee_or_government_may_convene(world: World, cases: list[Case]) -> None:
    clerk = _staff("gov_clerk", world.city_gov, Role.HANDLER)
    consultation = record(world, cases, actor=clerk, org=world.city_gov, tasks=[])
    assert consultation.org == world.city_gov


def test_only_a_bureau_or_government_convenes(world: World, cases: list[Case]) -> None:
    with pytest.raises(NotAllowed, match="不是信访部门或党委政府") as exc:
        record(world, cases, actor=world.handler, org=world.city_housing)
    assert _field(exc) == "org"
    assert Consultation.objects.count() == 0


@pytest.mark.parametrize("who", ["handler", "leader", "other_clerk"])
def test_only_the_organising_staff_of_the_organ_record(world: World, cases: list[Case], who: str) -> None:
    with pytest.raises(NotAllowed, match="只有示例市信访局的"):
        record(world, cases, actor=getattr(world, who))
    assert Consultation.objects.count() == 0


def test_the_meeting_must_have_taken_place(world: World, cases: list[Case]) -> None:
    with pytest.raises(ServiceError, match="不能晚于今天") as exc:
        record(world, cases, held_on=D(2025, 3, 11), tasks=[])
    assert _field(exc) == "held_on"
    assert record(world, cases, held_on=D(2025, 3, 10), tasks=[]).held_on == D(2025, 3, 10)
    with pytest.raises(ServiceError, match="请填写会商日期") as exc:
        record(world, cases, held_on=dt.datetime(2025, 3, 7, 9, 0))
    assert _field(exc) == "held_on"


def test_at_least_one_case_each_visible_to_the_organiser(world: World, cases: list[Case]) -> None:
    with pytest.raises(ServiceError, match="请至少选择一件信访件") as exc:
        record(world, [])
    assert _field(exc) == "cases"
    # The county bureau sees its county's matters, not one about the other county.
    county_clerk = _staff("county_clerk", world.county_bureau, Role.REGISTRAR)
    elsewhere = register(world, problem_region=world.other_county, subject="河口县某企业欠薪")
    with pytest.raises(NotAllowed, match=f"无权查看信访件 {elsewhere.number}") as exc:
        record(
            world,
            [elsewhere],
            actor=county_clerk,
            org=world.county_bureau,
            units=[world.county_labour],
            tasks=[],
        )
    assert _field(exc) == "cases"
    # The same case twice is one case discussed.
    once = record(world, [cases[0], cases[0]], tasks=[])
    assert list(once.cases.all()) == [cases[0]]
    assert cases[0].events.filter(kind="consulted").count() == 1


def test_at_least_one_active_unit_present(world: World, cases: list[Case]) -> None:
    with pytest.raises(ServiceError, match="请至少选择一个参会单位") as exc:
        record(world, cases, units=[], tasks=[])
    assert _field(exc) == "units"
    org_services.org_update(org=world.county_labour, is_active=False)
    world.county_labour.refresh_from_db()
    with pytest.raises(ServiceError, match="已停用") as exc:
        record(world, cases, tasks=[])
    assert _field(exc) == "units"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("topic", "  ", "请填写会商议题"),
        ("topic", "议" * 201, "会商议题不能超过 200 个字"),
        ("decision", "", "请填写会商意见"),
        ("chair", "主" * 65, "主持人不能超过 64 个字"),
    ],
)
def test_topic_and_decision_are_required(
    world: World, cases: list[Case], field: str, value: str, message: str
) -> None:
    with pytest.raises(ServiceError, match=message) as exc:
        record(world, cases, **{field: value})
    assert _field(exc) == field


def test_a_task_goes_to_a_unit_present_by_a_date_not_before_the_meeting(
    world: World, cases: list[Case]
) -> None:
    absent = [
        ("督促维修", world.city_housing, D(2025, 3, 14)),
        ("核查", world.other_county_labour, D(2025, 3, 14)),
    ]
    with pytest.raises(ServiceError, match="河口县人力资源和社会保障局未参加本次会商") as exc:
        record(world, cases, tasks=absent)
    assert _field(exc) == "tasks[1].owner_org"
    with pytest.raises(ServiceError, match="不能早于会商日期") as exc:
        record(world, cases, tasks=[("督促维修", world.city_housing, D(2025, 3, 6))])
    assert _field(exc) == "tasks[0].due_on"
    with pytest.raises(ServiceError, match="请填写任务内容") as exc:
        record(world, cases, tasks=[(" ", world.city_housing, D(2025, 3, 14))])
    assert _field(exc) == "tasks[0].title"
    with pytest.raises(ServiceError, match="请选择任务的责任单位") as exc:
        record(world, cases, tasks=[("督促维修", None, D(2025, 3, 14))])
    assert _field(exc) == "tasks[0].owner_org"
    with pytest.raises(ServiceError, match="请填写完成期限") as exc:
        record(world, cases, tasks=[("督促维修", world.city_housing, None)])
    assert _field(exc) == "tasks[0].due_on"


def test_nothing_is_written_when_any_part_is_refused(world: World, cases: list[Case]) -> None:
    bad = [("督促维修", world.city_housing, D(2025, 3, 14)), ("核查", world.county_labour, D(2025, 3, 1))]
    with pytest.raises(ServiceError):
        record(world, cases, tasks=bad)
    assert Consultation.objects.count() == 0 and ConsultationTask.objects.count() == 0
    assert not any(case.events.filter(kind="consulted").exists() for case in cases)


# ---------------------------------------------------------------- tasks


def test_the_organiser_adds_a_task_later(world: World, cases: list[Case]) -> None:
    consultation = record(world, cases)
    task = consultation_add_task(
        actor=world.bureau_head,
        consultation=consultation,
        title="回访信访人",
        owner_org=world.city_bureau,
        due_on=D(2025, 3, 31),
    )
    assert (task.consultation, task.owner_org, task.done_on) == (consultation, world.city_bureau, None)
    with pytest.raises(NotAllowed):
        consultation_add_task(
            actor=world.handler,
            consultation=consultation,
            title="回访",
            owner_org=world.city_housing,
            due_on=D(2025, 3, 31),
        )
    with pytest.raises(ServiceError, match="未参加本次会商") as exc:
        consultation_add_task(
            actor=world.registrar,
            consultation=consultation,
            title="回访",
            owner_org=world.other_county_labour,
            due_on=D(2025, 3, 31),
        )
    assert _field(exc) == "owner_org"
    with pytest.raises(ServiceError, match="不能早于会商日期") as exc:
        consultation_add_task(
            actor=world.registrar,
            consultation=consultation,
            title="回访",
            owner_org=world.city_housing,
            due_on=D(2025, 3, 6),
        )
    assert _field(exc) == "due_on"
    assert consultation.tasks.count() == 3


def _task(consultation: Consultation, org: Org) -> ConsultationTask:
    return consultation.tasks.get(owner_org=org)


def test_the_unit_reports_its_task_done_once(world: World, cases: list[Case]) -> None:
    task = _task(record(world, cases), world.city_housing)
    done = consultation_task_complete(
        actor=world.handler, task=task, done_on=D(2025, 3, 10), note="方案已报送。"
    )
    assert (done.done_on, done.done_note, done.done_by) == (D(2025, 3, 10), "方案已报送。", world.handler)
    with pytest.raises(InvalidState, match="不能重复反馈"):
        consultation_task_complete(actor=world.approver, task=task, done_on=D(2025, 3, 10), note="再报。")
    task.refresh_from_db()
    assert task.done_by == world.handler and task.done_note == "方案已报送。"


def test_who_may_report_a_task_done(world: World, cases: list[Case]) -> None:
    consultation = record(world, cases)
    labour = _task(consultation, world.county_labour)
    # Housing's handler is present at the meeting but the task is another unit's.
    for outsider in (world.handler, world.other_clerk, world.leader):
        with pytest.raises(NotAllowed, match="青山县人力资源和社会保障局"):
            consultation_task_complete(actor=outsider, task=labour, done_on=D(2025, 3, 10), note="已办。")
    # A registrar of the unit does not report on its tasks (UNIT_ROLES).
    unit_registrar = _staff("labour_registrar", world.county_labour, Role.REGISTRAR)
    with pytest.raises(NotAllowed):
        consultation_task_complete(actor=unit_registrar, task=labour, done_on=D(2025, 3, 10), note="已办。")
    # The organiser may record it on the unit's word.
    done = consultation_task_complete(
        actor=world.registrar, task=labour, done_on=D(2025, 3, 10), note="电话报告已办。"
    )
    assert done.done_by == world.registrar


def test_the_done_date_lies_between_the_meeting_and_today(world: World, cases: list[Case]) -> None:
    task = _task(record(world, cases), world.city_housing)
    with pytest.raises(ServiceError, match="完成日期不能晚于今天") as exc:
        consultation_task_complete(actor=world.handler, task=task, done_on=D(2025, 3, 11), note="已办。")
    assert _field(exc) == "done_on"
    with pytest.raises(ServiceError, match="不能早于会商日期") as exc:
        consultation_task_complete(actor=world.handler, task=task, done_on=D(2025, 3, 6), note="已办。")
    assert _field(exc) == "done_on"
    with pytest.raises(ServiceError, match="请填写完成情况") as exc:
        consultation_task_complete(actor=world.handler, task=task, done_on=D(2025, 3, 7), note="")
    assert _field(exc) == "note"
    task.refresh_from_db()
    assert task.done_on is None


def test_the_organiser_reopens_a_task_reported_done(world: World, cases: list[Case]) -> None:
    task = _task(record(world, cases), world.city_housing)
    with pytest.raises(InvalidState, match="尚未反馈完成"):
        consultation_task_reopen(actor=world.registrar, task=task, reason="未见方案。")
    consultation_task_complete(actor=world.handler, task=task, done_on=D(2025, 3, 10), note="已办。")
    with pytest.raises(NotAllowed):
        consultation_task_reopen(actor=world.handler, task=task, reason="自行退回。")
    with pytest.raises(ServiceError, match="请填写退回理由") as exc:
        consultation_task_reopen(actor=world.registrar, task=task, reason=" ")
    assert _field(exc) == "reason"
    reopened = consultation_task_reopen(actor=world.registrar, task=task, reason="维修方案未经业主确认。")
    assert (reopened.done_on, reopened.done_by, reopened.done_note) == (None, None, "")
    assert (reopened.reopen_reason, reopened.reopened_by) == ("维修方案未经业主确认。", world.registrar)
    # Open again: the unit reports anew.
    again = consultation_task_complete(
        actor=world.handler, task=task, done_on=D(2025, 3, 10), note="业主已确认。"
    )
    assert again.done_note == "业主已确认。"


# ---------------------------------------------------------------- who sees what


def test_the_organ_the_organs_above_and_the_units_present_see_it(world: World, cases: list[Case]) -> None:
    consultation = record(world, cases)
    labour_clerk = _staff("labour_clerk", world.county_labour, Role.HANDLER)
    county_gov_clerk = _staff("county_gov_clerk", world.county_gov, Role.HANDLER)
    for user in (world.registrar, world.leader, world.handler, labour_clerk):
        assert consultation_detail(user, consultation.pk) == consultation, user
    # Neither a unit that was not there, nor an organ beside or below the convening one.
    for user in (world.other_clerk, county_gov_clerk, world.citizen):
        assert consultation_detail(user, consultation.pk) is None, user
        assert not consultations_visible_to(user).exists()
    assert list(consultations_visible_to(world.handler)) == [consultation]  # once, however many links


def test_the_cases_are_shown_only_to_those_who_see_them(world: World, cases: list[Case]) -> None:
    consultation = record(world, cases)
    labour_clerk = _staff("labour_clerk", world.county_labour, Role.HANDLER)
    assert set(consultation_cases(world.handler, consultation)) == set(cases)
    assert consultation_hidden_cases(world.handler, consultation) == 0
    # County labour was present but handles neither case: it sees the meeting, not the cases.
    assert list(consultation_cases(labour_clerk, consultation)) == []
    assert consultation_hidden_cases(labour_clerk, consultation) == 2
    assert list(case_consultations(world.handler, cases[0])) == [consultation]
    assert list(case_consultations(labour_clerk, cases[0])) == []
    assert list(case_consultations(world.other_clerk, cases[0])) == []


def test_open_tasks_of_a_unit_overdue_first(world: World, cases: list[Case], freeze: Freeze) -> None:
    consultation = record(
        world,
        cases,
        tasks=[
            ("第二项", world.city_housing, D(2025, 3, 20)),
            ("第一项", world.city_housing, D(2025, 3, 12)),
            ("已完成", world.city_housing, D(2025, 3, 8)),
            ("人社局的", world.county_labour, D(2025, 3, 8)),
        ],
    )
    done = consultation.tasks.get(title="已完成")
    consultation_task_complete(actor=world.handler, task=done, done_on=D(2025, 3, 8), note="已办。")
    freeze("2025-03-15 10:00")
    rows = list(open_tasks_for(world.handler))
    assert [(t.title, t.is_late) for t in rows] == [("第一项", True), ("第二项", False)]
    assert list(open_tasks_for(world.other_clerk)) == []
    listed = {t.title: t.is_late for t in consultation_tasks(consultation)}
    assert listed == {"已完成": False, "人社局的": True, "第一项": True, "第二项": False}
