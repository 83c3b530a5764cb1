"""Approvals: a request waits for the unit's 审核人, who approves (with a note) or sends it back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from xinfang.cases import services
from xinfang.cases.clocks import case_clocks
from xinfang.cases.integrity import verify
from xinfang.cases.models import Case
from xinfang.cases.presentation import event_summary
from xinfang.cases.selectors import approvals_pending, pending_requests
from xinfang.cases.tests.helpers import a_reply, to_accepted, to_delivered
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant, org_update, staff_user_create
from xinfang.testing.world import World


def _kinds(case: Case) -> list[str]:
    return list(case.events.order_by("seq").values_list("kind", flat=True))


def _handle_due(case: Case) -> dt.date | None:
    return next(c.due_on for c in case_clocks(case) if c.name == "handle")


def _clean() -> None:
    problems: list[str] = []
    verify(report=problems.append)
    assert problems == []  # the event chains, the projections and the facts agree


def test_an_extension_starts_only_when_the_approver_approves(
    world: World, freeze: Callable[[str], dt.datetime]
) -> None:
    freeze("2025-02-03 09:00")
    case = to_accepted(world)
    due = _handle_due(case)
    case = services.case_request_extension(actor=world.handler, case=case, days=30, reason="需要现场测绘")
    # The clocks keep running while it waits: nothing is extended yet.
    assert case.extension_days == 0 and _handle_due(case) == due
    assert [e.kind for e in pending_requests(case)] == ["extension_requested"]
    assert [p.case.pk for p in approvals_pending(world.approver)] == [case.pk]
    assert approvals_pending(world.handler) == []  # not an approver, and it is their own request
    freeze("2025-02-10 10:00")
    case = services.case_approve_extension(actor=world.approver, case=case, note="同意延期三十日")
    # The 60-day period itself is extended by 30 days (第三十四条), whenever it is approved: its
    # unadjusted end, 4 April (清明, so due on the 7th), plus 30 days is 4 May (劳动节): the 6th.
    assert due == dt.date(2025, 4, 7)
    assert case.extension_days == 30 and _handle_due(case) == dt.date(2025, 5, 6)
    extended = case.events.get(kind="extended")
    assert extended.actor == world.approver and extended.payload["note"] == "同意延期三十日"
    assert extended.payload["requested_by"] == world.handler.pk
    assert pending_requests(case) == [] and approvals_pending(world.approver) == []
    with pytest.raises(InvalidState, match="已延期过一次"):
        services.case_request_extension(actor=world.handler, case=case, days=5, reason="再延")
    _clean()


def test_a_returned_extension_changes_nothing_and_may_be_asked_again(world: World) -> None:
    case = to_accepted(world)
    due = _handle_due(case)
    case = services.case_request_extension(actor=world.handler, case=case, days=20, reason="需要鉴定")
    with pytest.raises(ServiceError, match="请填写退回理由") as exc:
        services.case_return_extension(actor=world.approver, case=case, reason="  ")
    assert exc.value.field == "reason"
    case = services.case_return_extension(actor=world.approver, case=case, reason="鉴定无须延期")
    assert case.extension_days == 0 and _handle_due(case) == due and pending_requests(case) == []
    with pytest.raises(InvalidState, match="没有待审核的延期申请"):
        services.case_approve_extension(actor=world.approver, case=case)
    case = services.case_request_extension(actor=world.handler, case=case, days=10, reason="补充鉴定")
    case = services.case_approve_extension(actor=world.approver, case=case)
    assert case.extension_days == 10
    assert _kinds(case)[-4:] == [
        "extension_requested",
        "extension_returned",
        "extension_requested",
        "extended",
    ]
    _clean()


def test_the_approver_holds_the_role_at_the_unit_and_is_not_the_requester(world: World) -> None:
    case = to_accepted(world)
    # The handler also holds 审核人 there, yet may not approve their own request.
    membership_grant(user=world.handler, org=world.city_housing, role=Role.APPROVER)
    case = services.case_request_extension(actor=world.handler, case=case, days=15, reason="需要协调")
    with pytest.raises(NotAllowed, match="不能审核本人提交的申请"):
        services.case_approve_extension(actor=world.handler, case=case)
    # A 审核人 elsewhere (the city bureau's head) and a leader are not approvers of this unit.
    for outsider in (world.bureau_head, world.leader):
        with pytest.raises(
            NotAllowed, match="只有示例市住房和城乡建设局的审核人或信访部门负责人可以批准延期"
        ):
            services.case_approve_extension(actor=outsider, case=case)
    with pytest.raises(InvalidState, match="已有待审核的延期申请"):
        services.case_request_extension(actor=world.handler, case=case, days=5, reason="又一次")
    assert services.case_approve_extension(actor=world.approver, case=case).extension_days == 15


def test_approval_steps_are_refused_in_the_wrong_state(world: World) -> None:
    delivered = to_delivered(world)
    with pytest.raises(InvalidState, match="当前状态为“已送达”，不能申请延期"):
        services.case_request_extension(actor=world.handler, case=delivered, days=5, reason="x")
    with pytest.raises(InvalidState, match="不能批准延期"):
        services.case_approve_extension(actor=world.approver, case=delivered)
    with pytest.raises(InvalidState, match="不能提交处理意见书审核"):
        services.case_submit_reply_for_approval(actor=world.handler, case=delivered, reply=a_reply())


def test_a_unit_without_approval_extends_and_replies_at_once_as_self_approved(world: World) -> None:
    org_update(org=world.city_housing, requires_approval=False)
    case = to_accepted(world)
    case = services.case_request_extension(actor=world.handler, case=case, days=10, reason="一人办公")
    extended = case.events.get(kind="extended")
    assert case.extension_days == 10 and extended.payload["self_approved"] is True
    assert extended.actor == world.handler
    case = services.case_submit_reply_for_approval(actor=world.handler, case=case, reply=a_reply())
    assert case.status == "replied" and case.events.get(kind="replied").payload["self_approved"] is True
    assert "extension_requested" not in _kinds(case) and "reply_submitted" not in _kinds(case)
    _clean()


def test_a_draft_reply_is_issued_as_submitted_only_on_approval(world: World) -> None:
    case = to_accepted(world)
    with pytest.raises(ServiceError, match="应写明查明事实") as exc:
        services.case_submit_reply_for_approval(actor=world.handler, case=case, reply=a_reply(facts=""))
    assert exc.value.field == "facts"
    case = services.case_submit_reply_for_approval(actor=world.handler, case=case, reply=a_reply())
    assert case.status == "accepted"
    with pytest.raises(InvalidState, match="不能送达"):
        services.case_deliver(actor=world.handler, case=case, method="in_person")
    with pytest.raises(InvalidState, match="已有待审核的处理意见书"):
        services.case_submit_reply_for_approval(actor=world.handler, case=case, reply=a_reply())
    case = services.case_return_reply(actor=world.approver, case=case, reason="法律依据不准确")
    assert case.status == "accepted" and pending_requests(case) == []
    revised = a_reply(legal_basis="《中华人民共和国建筑法》第六十二条")
    case = services.case_submit_reply_for_approval(actor=world.handler, case=case, reply=revised)
    with pytest.raises(
        NotAllowed, match="只有示例市住房和城乡建设局的审核人或信访部门负责人可以批准处理意见书"
    ):
        services.case_approve_reply(actor=world.registrar, case=case)
    case = services.case_approve_reply(actor=world.approver, case=case, note="同意出具")
    replied = case.events.get(kind="replied")
    assert case.status == "replied" and replied.payload["legal_basis"] == revised.legal_basis
    assert replied.payload["approver"] == world.approver.pk and replied.payload["note"] == "同意出具"
    case = services.case_deliver(actor=world.handler, case=case, method="in_person")
    assert case.status == "delivered"
    _clean()


def test_the_pages_and_api_refuse_a_direct_reply_where_approval_is_needed(world: World) -> None:
    case = to_accepted(world)
    with pytest.raises(InvalidState, match="请使用“提交处理意见书审核”"):
        services.refuse_direct_issue(case, services.Action.REPLY, world.handler)
    org_update(org=world.city_housing, requires_approval=False)
    case.current_org.refresh_from_db()
    services.refuse_direct_issue(case, services.Action.REPLY, world.handler)  # no approval needed


def test_the_services_issue_no_opinion_the_unit_has_not_approved(world: World) -> None:
    case = to_accepted(world)
    with pytest.raises(InvalidState, match="请使用“提交处理意见书审核”"):
        services.case_reply(actor=world.handler, case=case, reply=a_reply())
    assert "replied" not in _kinds(case)
    # A reply approved elsewhere and entered after the fact (the import) says so on the timeline.
    case = services.case_reply(actor=world.handler, case=case, reply=a_reply(), recorded=True)
    replied = case.events.get(kind="replied")
    assert replied.payload["recorded"] is True
    assert "补录" in event_summary(replied.kind, replied.payload)
    # The reviewing government: its 承办人 drafts for approval, its 领导 (本机关负责人) signs.
    case = services.case_deliver(actor=world.handler, case=case, method="in_person")
    case = services.case_review_request(actor=world.leader, case=case, reasons="不服处理意见")
    clerk = staff_user_create(username="gov_clerk", full_name="政府承办", password="Gov-Clerk-Pass-2026")
    membership_grant(user=clerk, org=world.city_gov, role=Role.HANDLER)
    with pytest.raises(InvalidState, match="请使用“提交复查（复核）意见审核”"):
        services.case_review_decide(actor=clerk, case=case, outcome="uphold", opinion="维持。")
    case = services.case_review_decide(actor=world.leader, case=case, outcome="uphold", opinion="维持。")
    assert case.events.get(kind="review_decided").payload["by_leader"] is True
    _clean()


def test_review_opinions_go_to_the_reviewing_organs_approver(world: World) -> None:
    membership_grant(user=world.approver, org=world.city_gov, role=Role.APPROVER)
    case = to_delivered(world)
    case = services.case_review_request(actor=world.leader, case=case, reasons="不服处理意见")
    opinion = {"outcome": "uphold", "opinion": "维持原处理意见。"}
    with pytest.raises(ServiceError, match="意见“”无效") as exc:
        services.case_submit_opinion_for_approval(actor=world.leader, case=case, outcome="", opinion="x")
    assert exc.value.field == "outcome"
    case = services.case_submit_opinion_for_approval(actor=world.leader, case=case, **opinion)
    assert case.status == "reviewing"
    assert [p.label for p in approvals_pending(world.approver)] == ["复查意见"]
    case = services.case_return_opinion(actor=world.approver, case=case, reason="请补充事实")
    case = services.case_submit_opinion_for_approval(actor=world.leader, case=case, **opinion)
    case = services.case_approve_opinion(actor=world.approver, case=case)
    assert case.status == "reviewed" and case.events.get(kind="review_decided").payload["outcome"] == "uphold"
    # 复核 at the province: final, and the matter is concluded with it (第三十六条).
    membership_grant(user=world.approver, org=world.province_gov, role=Role.APPROVER)
    membership_grant(user=world.leader, org=world.province_gov, role=Role.LEADER)
    case = services.case_rereview_request(actor=world.leader, case=case, reasons="仍不服")
    case = services.case_submit_opinion_for_approval(actor=world.leader, case=case, **opinion)
    case = services.case_approve_opinion(actor=world.approver, case=case)
    assert case.status == "terminated" and case.closed_at is not None
    assert _kinds(case)[-4:] == ["opinion_submitted", "opinion_approved", "rereview_decided", "terminated"]
    _clean()
