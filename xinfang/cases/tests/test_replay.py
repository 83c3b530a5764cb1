"""The projection is the replay of the log, on every workflow path the services offer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from xinfang.cases import services
from xinfang.cases.models import Case
from xinfang.cases.replay import PROJECTED_FIELDS, replay
from xinfang.cases.services._core import ProjectionDrift, lock_case, project
from xinfang.cases.tests.helpers import a_reply, register, reply_approved, to_accepted, to_delivered
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant
from xinfang.testing.world import World


def _through_rereview(world: World) -> Case:
    membership_grant(user=world.leader, org=world.province_gov, role=Role.LEADER)
    case = to_delivered(world)
    case = services.case_rate(
        actor=world.registrar, case=case, track="bureau", value="dissatisfied", reason="不满意答复"
    )
    case = services.case_review_request(actor=world.leader, case=case, reasons="不服")
    case = services.case_hearing_start(actor=world.leader, case=case)
    case = services.case_hearing_end(actor=world.leader, case=case, conclusion="听证完毕")
    case = services.case_review_decide(actor=world.leader, case=case, outcome="uphold", opinion="维持")
    case = services.case_rereview_request(actor=world.leader, case=case, reasons="仍不服")
    return services.case_rereview_decide(actor=world.leader, case=case, outcome="uphold", opinion="维持")


def _handled(world: World) -> Case:
    case = to_accepted(world)
    case = services.case_add_assisting(actor=world.handler, case=case, org=world.town_office)
    case = services.case_hearing_start(actor=world.handler, case=case)
    case = services.case_hearing_end(actor=world.handler, case=case, conclusion="诉求部分合理")
    case = services.case_extend(
        actor=world.handler, case=case, days=20, approver=world.approver, reason="需测绘"
    )
    return reply_approved(actor=world.handler, case=case, reply=a_reply())


def _in_hearing(world: World) -> Case:
    return services.case_hearing_start(actor=world.handler, case=to_accepted(world))


def _assigned_objected_forwarded(world: World) -> Case:
    case = services.case_assign(
        actor=world.registrar, case=register(world), to_org=world.city_housing, report_due=dt.date(2099, 1, 1)
    )
    case = services.case_object(actor=world.handler, case=case, reasons="属于人社部门职责")
    return services.case_forward(
        actor=world.registrar, case=case, to_org=world.county_labour, assisting=[world.town_office]
    )


def _answered_and_terminated(world: World) -> Case:
    case = services.case_answer(actor=world.registrar, case=register(world), reply=a_reply(outcome="explain"))
    case = services.case_deliver(actor=world.registrar, case=case, method="post")
    return services.case_terminate(actor=world.registrar, case=case, reason="petitioner_accepted")


def _reviewed_and_terminated(world: World) -> Case:
    case = services.case_review_request(actor=world.leader, case=to_delivered(world), reasons="不服")
    case = services.case_review_decide(actor=world.leader, case=case, outcome="change", opinion="变更")
    return services.case_terminate(actor=world.leader, case=case, reason="petitioner_accepted")


def _declined(world: World) -> Case:
    return services.case_decline(
        actor=world.registrar, case=register(world), legal_channel="litigation", reasons="已起诉"
    )


def _refused_again(world: World) -> Case:
    earlier = _through_rereview(world)
    return services.case_refuse_again(
        actor=world.registrar, case=register(world), earlier=earlier, reasons="同一事实"
    )


def _linked(world: World) -> Case:
    first, second = register(world), register(world)
    third = services.case_link(actor=world.registrar, case=register(world), target=first, kind="repeat")
    services.case_link(actor=world.registrar, case=second, target=first, kind="duplicate")
    return services.case_link(actor=world.registrar, case=third, target=second, kind="duplicate")


def _noted_and_attached(world: World) -> Case:
    case = to_accepted(world)
    services.case_attach(actor=world.registrar, case=case, name="来信.pdf", content=b"%PDF-1.4", pages=1)
    return services.case_note_supervision(
        actor=world.bureau_head, org=world.city_bureau, case=case, kind="supervised", payload={"note": "督办"}
    )


def _instructed_and_reported(world: World) -> Case:
    """领导阅批: sent, instructed with a date and reported on; the case keeps its status."""
    case = services.case_send_for_instruction(
        actor=world.bureau_head, case=to_accepted(world), leader=world.leader
    )
    case = services.case_instruct(
        actor=world.leader, case=case, text="请依法依规处理。", due_on=local_date() + dt.timedelta(days=15)
    )
    seq = case.instructions.get().seq
    return services.case_report_on_instruction(
        actor=world.handler, case=case, instruction=seq, text="已处理。"
    )


PATHS: dict[str, Callable[[World], Case]] = {
    "registered": register,
    "accepted": to_accepted,
    "handled_and_replied": _handled,
    "in_hearing": _in_hearing,
    "delivered": to_delivered,
    "assigned_objected_forwarded": _assigned_objected_forwarded,
    "answered_and_terminated": _answered_and_terminated,
    "reviewed_and_terminated": _reviewed_and_terminated,
    "through_rereview": _through_rereview,
    "declined": _declined,
    "refused_again": _refused_again,
    "linked": _linked,
    "noted_and_attached": _noted_and_attached,
    "instructed_and_reported": _instructed_and_reported,
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_the_replay_gives_the_projection_the_services_stored(
    world: World, settings: Any, tmp_path: Any, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    built = PATHS[path](world)
    for case in Case.objects.all():
        derived = replay(case.events.order_by("seq"))
        assert {name: getattr(derived, name) for name in PROJECTED_FIELDS} == {
            name: getattr(case, name) for name in PROJECTED_FIELDS
        }, case.number
    assert Case.objects.get(pk=built.pk).status == replay(built.events.order_by("seq")).status
    call_command("verify_events")
    assert "办理记录完整，信访件状态与记录一致" in capsys.readouterr().out


def test_a_terminal_case_records_its_closing_time_from_the_event(world: World) -> None:
    case = _through_rereview(world)
    assert case.closed_at == case.events.get(kind="terminated").at


def test_a_service_cannot_store_a_projection_the_log_does_not_give(world: World) -> None:
    """The guard that keeps the services and the replay together: a wrong field is never saved."""
    case = to_accepted(world)
    locked = lock_case(case.pk)
    locked.current_org = world.other_county_labour  # a service forgetting to record the move
    with pytest.raises(ProjectionDrift, match="当前责任单位"):
        project(locked, fields=["current_org"])
    assert Case.objects.get(pk=case.pk).current_org == world.city_housing
