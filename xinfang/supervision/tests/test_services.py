"""督办: open, feedback, close, the overdue sweep, and every refusal."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from docx import Document

from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register, to_accepted
from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Role
from xinfang.supervision import services
from xinfang.supervision.letters import available_letters, render_letter
from xinfang.supervision.models import Reason, Supervision, SupervisionStatus
from xinfang.supervision.selectors import case_supervisions, supervision_detail
from xinfang.supervision.sweep import sweep
from xinfang.testing.supervision import open_supervision
from xinfang.testing.world import World

D = dt.date
Freeze = Callable[[str], dt.datetime]


@pytest.fixture
def case(world: World, freeze: Freeze) -> Case:
    freeze("2025-03-03 10:00")
    return to_accepted(world)  # handled by 示例市住房和城乡建设局


def _kinds(supervision: Supervision) -> list[str]:
    return list(supervision.events.order_by("seq").values_list("kind", flat=True))


def test_a_bureau_opens_the_unit_answers_and_the_bureau_closes(world: World, case: Case) -> None:
    supervision = open_supervision(world, case)
    assert (supervision.status, supervision.unit) == ("open", world.city_housing)
    answered = services.supervision_feedback(
        actor=world.handler, supervision=supervision, text="已督促开发商维修。"
    )
    assert answered.status == "answered"
    closed = services.supervision_close(actor=world.bureau_head, supervision=answered, note="办理到位。")
    assert (closed.status, closed.accountability) == ("closed", False)
    assert _kinds(closed) == ["opened", "feedback", "closed"]
    history = list(case.events.order_by("seq").values_list("kind", flat=True))
    assert history[-3:] == ["supervised", "supervision_answered", "supervision_closed"]
    assert case.events.get(kind="supervised").payload["reason_name"] == Reason("delay").label
    assert closed.events.get(kind="feedback").payload == {"late": False}
    assert list(case_supervisions(world.handler, case)) == [closed]
    assert supervision_detail(world.other_clerk, closed.pk) is None


def test_only_a_petition_bureau_with_a_role_may_open(world: World, case: Case) -> None:
    with pytest.raises(NotAllowed, match="不是信访部门"):
        open_supervision(world, case, actor=world.handler, org=world.city_housing)
    with pytest.raises(NotAllowed, match="只有示例市信访局的信访部门负责人或审核人或承办人可以督办"):
        open_supervision(world, case, actor=world.registrar)


def test_a_bureau_that_cannot_see_the_case_may_not_open(world: World, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    case = to_accepted(world, register(world, problem_region=world.other_county))
    clerk = org_services.staff_user_create(
        username="county_clerk", full_name="赵县信访", password="x-Pass-2026"
    )
    org_services.membership_grant(user=clerk, org=world.county_bureau, role=Role.HANDLER)
    with pytest.raises(NotAllowed, match="无权查看"):
        open_supervision(world, case, actor=clerk, org=world.county_bureau)


def test_opening_refuses_bad_input_and_a_second_active_supervision(world: World, case: Case) -> None:
    with pytest.raises(ServiceError, match="督办事由") as bad_reason:
        open_supervision(world, case, reason="lazy")
    assert bad_reason.value.field == "reason"
    with pytest.raises(ServiceError, match="反馈期限应晚于今天") as bad_date:
        open_supervision(world, case, feedback_due=D(2025, 3, 3))
    assert bad_date.value.field == "feedback_due"
    with pytest.raises(ServiceError, match="请填写督办要求"):
        open_supervision(world, case, details="  ")
    open_supervision(world, case)
    with pytest.raises(ServiceError, match="已有未办结的督办") as twice:
        open_supervision(world, case)
    assert twice.value.code == "conflict"
    assert Supervision.objects.count() == 1


def test_a_closed_case_cannot_be_supervised(world: World, case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(closed_at=case.updated_at)
    with pytest.raises(ServiceError, match="已办结"):
        open_supervision(world, case)


def test_feedback_comes_only_from_the_responsible_unit_while_open(world: World, case: Case) -> None:
    supervision = open_supervision(world, case)
    for outsider in (world.other_clerk, world.bureau_head):
        with pytest.raises(NotAllowed, match="示例市住房和城乡建设局"):
            services.supervision_feedback(actor=outsider, supervision=supervision, text="已办理。")
    with pytest.raises(ServiceError, match="请填写办理情况"):
        services.supervision_feedback(actor=world.handler, supervision=supervision, text="")
    services.supervision_feedback(actor=world.approver, supervision=supervision, text="已办理。")
    with pytest.raises(ServiceError, match="不能再反馈"):
        services.supervision_feedback(actor=world.handler, supervision=supervision, text="再次反馈。")


def test_closing_needs_the_bureaus_head_and_the_units_answer(world: World, case: Case) -> None:
    supervision = open_supervision(world, case)
    with pytest.raises(ServiceError, match="尚未反馈，不能办结"):
        services.supervision_close(actor=world.bureau_head, supervision=supervision, note="结束。")
    services.supervision_feedback(actor=world.handler, supervision=supervision, text="已办理。")
    with pytest.raises(NotAllowed, match="办结督办"):
        services.supervision_close(actor=world.registrar, supervision=supervision, note="结束。")
    with pytest.raises(ServiceError, match="请填写办结意见"):
        services.supervision_close(actor=world.bureau_head, supervision=supervision, note="")


def test_an_unanswered_supervision_goes_overdue_once_and_can_end_in_accountability(
    world: World, case: Case, freeze: Freeze
) -> None:
    supervision = open_supervision(world, case)
    assert [code for code, _ in available_letters(supervision)] == ["reminder"]
    with pytest.raises(ServiceError, match="不能生成问责建议函"):
        render_letter(supervision, "accountability")
    freeze("2025-03-11 10:00")
    assert sweep().supervisions_overdue == 1
    assert sweep().supervisions_overdue == 0
    supervision.refresh_from_db()
    assert supervision.status == SupervisionStatus.OVERDUE
    with pytest.raises(ServiceError, match="只能在建议问责时办结"):
        services.supervision_close(actor=world.bureau_head, supervision=supervision, note="结束。")
    closed = services.supervision_close(
        actor=world.bureau_head,
        supervision=supervision,
        note="逾期未反馈，建议问责。",
        recommend_accountability=True,
    )
    assert _kinds(closed) == ["opened", "overdue", "closed"]
    name, body = render_letter(closed, "accountability")
    text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
    assert name.startswith("问责建议函-")
    assert "示例市人民政府：" in text and "未按期反馈办理情况" in text


def test_a_late_answer_is_recorded_as_late(world: World, case: Case, freeze: Freeze) -> None:
    supervision = open_supervision(world, case)
    freeze("2025-03-12 10:00")
    sweep()
    answered = services.supervision_feedback(actor=world.handler, supervision=supervision, text="已办理。")
    assert answered.events.get(kind="feedback").payload == {"late": True}


def test_the_reminder_letter_names_the_unit_the_reason_and_the_date(world: World, case: Case) -> None:
    name, body = render_letter(open_supervision(world, case), "reminder")
    text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
    assert name.startswith("督办提醒函-")
    assert "示例市住房和城乡建设局：" in text
    assert "拖延" in text and "请于2025年3月10日前" in text
