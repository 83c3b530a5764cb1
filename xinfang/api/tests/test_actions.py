"""Every workflow endpoint at least once, plus the refusals: wrong state (409), wrong role (403)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from xinfang.api.tests.conftest import Api, errors_by_field, reply_body
from xinfang.cases import services
from xinfang.cases.models import Case, CaseEvent, Rating
from xinfang.cases.tests.helpers import register, reply_approved, to_accepted, to_delivered
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import Role, User
from xinfang.orgs.services import membership_grant
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content.decode()
    return response.json()


def kinds(case_id: int) -> list[str]:
    return list(CaseEvent.objects.filter(case_id=case_id).order_by("seq").values_list("kind", flat=True))


def test_forward_routes_the_case_with_assisting_units(world: World, api_as: ApiAs) -> None:
    case = register(world)
    body = ok(
        api_as(world.registrar).act(
            case.pk,
            "forward",
            {"to_org_id": world.city_housing.pk, "assisting_ids": [world.county_labour.pk], "note": "请办理"},
        )
    )
    assert body["status"] == "routed" and body["current_org"]["id"] == world.city_housing.pk
    assert body["events"][-1]["payload"]["assisting"] == [
        {"id": world.county_labour.pk, "name": world.county_labour.name}
    ]


def test_assign_demands_a_completion_report_by_a_date(world: World, api_as: ApiAs) -> None:
    case = register(world)
    api = api_as(world.registrar)
    due = (local_date() + dt.timedelta(days=20)).isoformat()
    body = ok(api.act(case.pk, "assign", {"to_org_id": world.city_housing.pk, "report_due": due}))
    assert body["status"] == "routed" and body["events"][-1]["kind"] == "assigned"
    assert body["events"][-1]["payload"]["report_due"] == due


def test_assign_with_a_past_report_date_names_the_field(world: World, api_as: ApiAs) -> None:
    case = register(world)
    past = (local_date() - dt.timedelta(days=1)).isoformat()
    response = api_as(world.registrar).act(
        case.pk, "assign", {"to_org_id": world.city_housing.pk, "report_due": past}
    )
    assert response.status_code == 400
    assert errors_by_field(response)["report_due"]["message"] == "办结报告期限应晚于今天。"


def test_forward_to_an_unknown_org_or_to_itself_names_to_org_id(world: World, api_as: ApiAs) -> None:
    case = register(world)
    api = api_as(world.registrar)
    response = api.act(case.pk, "forward", {"to_org_id": 999999})
    assert response.status_code == 400 and "to_org_id" in errors_by_field(response)
    response = api.act(case.pk, "forward", {"to_org_id": world.city_bureau.pk})
    assert errors_by_field(response)["to_org_id"]["message"] == "不能转交给本机构自己。"


def test_answer_lets_the_bureau_reply_directly(world: World, api_as: ApiAs) -> None:
    case = register(world)
    body = ok(api_as(world.registrar).act(case.pk, "answer", reply_body(outcome="explain")))
    assert body["status"] == "replied" and body["events"][-1]["payload"]["outcome_name"] == "解释说明"


def test_a_reply_without_facts_is_refused_naming_the_field(world: World, api_as: ApiAs) -> None:
    case = register(world)
    response = api_as(world.registrar).act(case.pk, "answer", reply_body(facts="  "))
    assert response.status_code == 400
    assert "查明事实" in errors_by_field(response)["facts"]["message"]


def test_decline_points_to_the_legal_channel(world: World, api_as: ApiAs) -> None:
    case = register(world)
    body = ok(
        api_as(world.registrar).act(
            case.pk, "decline", {"legal_channel": "litigation", "reasons": "属于民事纠纷，应通过诉讼解决。"}
        )
    )
    assert body["status"] == "declined" and body["closed_at"] is not None
    assert body["allowed_actions"] == [
        {"action": "link", "label": "关联重复件", "method": "POST", "path": f"/api/v1/cases/{case.pk}/link"}
    ]


def _labour_arbitration() -> Any:
    from xinfang.cases.models import ContentCategory
    from xinfang.reception.legal_routes import DEFAULT_ROUTES_CSV, load_routes
    from xinfang.reception.models import LegalRoute

    if not LegalRoute.objects.exists():  # a browser test may have flushed the migration's rows
        load_routes(
            DEFAULT_ROUTES_CSV.read_text(encoding="utf-8"),
            route_model=LegalRoute,
            category_model=ContentCategory,
        )
    return LegalRoute.objects.get(category__code="040100", name="劳动人事争议仲裁")


def test_decline_into_a_route_of_the_guide_records_it_and_counts_the_guidance(
    world: World, api_as: ApiAs
) -> None:
    from xinfang.reception.models import LegalGuidance

    case = register(world)
    route = _labour_arbitration()
    body = ok(api_as(world.registrar).act(case.pk, "decline", {"route_id": route.pk, "reasons": "劳动争议"}))
    payload = body["events"][-1]["payload"]
    assert body["status"] == "declined" and payload["legal_channel"] == "labour_arbitration"
    assert payload["legal_channel_name"] == "劳动人事争议仲裁" and payload["legal_basis"] == route.legal_basis
    assert LegalGuidance.objects.get(case=case).route == route
    plain = register(world)
    ok(api_as(world.registrar).act(plain.pk, "decline", {"legal_channel": "litigation", "reasons": "诉讼"}))
    assert LegalGuidance.objects.get(case=plain).route is None


def test_decline_refuses_a_missing_inactive_or_mismatched_route(world: World, api_as: ApiAs) -> None:
    from xinfang.reception.models import LegalRoute

    case = register(world)
    route = _labour_arbitration()
    api = api_as(world.registrar)
    for body, field, words in [
        ({"reasons": "x"}, "legal_channel", "请选择法定途径"),
        ({"route_id": 999999, "reasons": "x"}, "route_id", "不在法定途径清单中"),
        ({"route_id": route.pk, "legal_channel": "litigation", "reasons": "x"}, "legal_channel", "不一致"),
    ]:
        response = api.act(case.pk, "decline", body)
        assert response.status_code == 400, response.content.decode()
        assert words in errors_by_field(response)[field]["message"]
    LegalRoute.objects.filter(pk=route.pk).update(is_active=False)
    response = api.act(case.pk, "decline", {"route_id": route.pk, "reasons": "x"})
    assert response.status_code == 400 and "已停用" in errors_by_field(response)["route_id"]["message"]
    assert kinds(case.pk) == ["registered"]


def test_refuse_again_cites_a_case_concluded_by_rereview(world: World, api_as: ApiAs) -> None:
    earlier = to_delivered(world)
    earlier = services.case_review_request(actor=world.leader, case=earlier, reasons="不服")
    earlier = services.case_review_decide(actor=world.leader, case=earlier, outcome="uphold", opinion="维持")
    membership_grant(user=world.leader, org=world.province_gov, role=Role.LEADER)
    earlier = services.case_rereview_request(actor=world.leader, case=earlier, reasons="仍不服")
    services.case_rereview_decide(actor=world.leader, case=earlier, outcome="uphold", opinion="维持")
    case = register(world)
    api = api_as(world.registrar)
    body = ok(api.act(case.pk, "refuse-again", {"earlier_id": earlier.pk, "reasons": "同一事实和理由。"}))
    assert body["status"] == "refused_again" and body["repeat_of_id"] == earlier.pk
    other = register(world)
    response = api.act(other.pk, "refuse-again", {"earlier_id": case.pk, "reasons": "同一事实和理由。"})
    assert response.status_code == 400 and "earlier_id" in errors_by_field(response)


def test_refuse_again_cannot_cite_a_case_the_user_cannot_see(world: World, api_as: ApiAs) -> None:
    case = register(world)
    response = api_as(world.registrar).act(case.pk, "refuse-again", {"earlier_id": 987654, "reasons": "x"})
    assert response.status_code == 400
    assert errors_by_field(response)["earlier_id"]["message"] == "信访件 987654 不存在，或您无权查看。"


def test_accept_and_object_are_the_units_answers_to_a_routed_case(world: World, api_as: ApiAs) -> None:
    first = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    second = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    api = api_as(world.handler)
    assert ok(api.act(first.pk, "accept", {"note": "已受理"}))["status"] == "accepted"
    body = ok(api.act(second.pk, "object", {"reasons": "不属于本单位职责。"}))
    assert body["status"] == "registered" and body["current_org"]["id"] == world.city_bureau.pk


def test_a_hearing_pauses_the_case_and_ends_with_a_conclusion(world: World, api_as: ApiAs) -> None:
    case = to_accepted(world)
    api = api_as(world.handler)
    assert ok(api.act(case.pk, "hearing-start", {"note": "组织听证"}))["paused"] is True
    again = api.act(case.pk, "hearing-start", {})
    assert again.status_code == 409 and errors_by_field(again)["status"] == {
        "field": "status",
        "message": "本件已在听证中。",
        "code": "invalid_state",
    }
    body = ok(api.act(case.pk, "hearing-end", {"conclusion": "听证认为诉求部分合理。"}))
    assert body["paused"] is False and kinds(case.pk)[-2:] == ["hearing_started", "hearing_ended"]


def test_an_extension_waits_for_the_approver_and_starts_on_approval(world: World, api_as: ApiAs) -> None:
    case = to_accepted(world)
    handler, approver = api_as(world.handler), api_as(world.approver)
    body = ok(handler.act(case.pk, "request-extension", {"days": 30, "reason": "情况复杂"}))
    handle = next(c for c in body["clocks"] if c["name"] == "handle")
    assert body["extension_days"] == 0 and handle["extension_days"] == 0  # not before approval
    own = handler.act(case.pk, "approve-extension", {})
    assert own.status_code == 403 and "审核人" in errors_by_field(own)[None]["message"]
    body = ok(approver.act(case.pk, "approve-extension", {"note": "同意延期"}))
    handle = next(c for c in body["clocks"] if c["name"] == "handle")
    assert body["extension_days"] == 30 and handle["extension_days"] == 30
    assert kinds(case.pk)[-2:] == ["extension_requested", "extended"]
    twice = handler.act(case.pk, "request-extension", {"days": 5, "reason": "仍复杂"})
    assert twice.status_code == 409 and "已延期过一次" in errors_by_field(twice)[None]["message"]


def test_a_returned_extension_changes_nothing_and_needs_a_reason(world: World, api_as: ApiAs) -> None:
    case = to_accepted(world)
    ok(api_as(world.handler).act(case.pk, "request-extension", {"days": 20, "reason": "需要鉴定"}))
    approver = api_as(world.approver)
    blank = approver.act(case.pk, "return-extension", {"reason": " "})
    assert blank.status_code == 400 and "退回理由" in errors_by_field(blank)["reason"]["message"]
    body = ok(approver.act(case.pk, "return-extension", {"reason": "理由不充分"}))
    assert body["extension_days"] == 0 and kinds(case.pk)[-1] == "extension_returned"
    nothing = approver.act(case.pk, "approve-extension", {})
    assert nothing.status_code == 409 and "没有待审核的延期申请" in errors_by_field(nothing)[None]["message"]


def test_a_reply_is_issued_only_through_the_approver_where_the_unit_needs_one(
    world: World, api_as: ApiAs
) -> None:
    case = to_accepted(world)
    handler = api_as(world.handler)
    direct = handler.act(case.pk, "reply", reply_body())
    assert direct.status_code == 409 and "提交处理意见书审核" in errors_by_field(direct)[None]["message"]
    body = ok(handler.act(case.pk, "submit-reply", reply_body()))
    assert body["status"] == "accepted" and kinds(case.pk)[-1] == "reply_submitted"
    returned = ok(api_as(world.approver).act(case.pk, "return-reply", {"reason": "事实部分不清"}))
    assert returned["status"] == "accepted"
    ok(handler.act(case.pk, "submit-reply", reply_body()))
    body = ok(api_as(world.approver).act(case.pk, "approve-reply", {"note": "同意"}))
    assert body["status"] == "replied"
    assert kinds(case.pk)[-3:] == ["reply_submitted", "reply_approved", "replied"]


def test_reply_then_deliver_then_rate_on_both_tracks(world: World, api_as: ApiAs) -> None:
    case = to_accepted(world)
    handler = api_as(world.handler)
    assert ok(handler.act(case.pk, "submit-reply", reply_body()))["status"] == "accepted"
    assert ok(api_as(world.approver).act(case.pk, "approve-reply", {}))["status"] == "replied"
    refused = handler.act(case.pk, "deliver", {"method": "post", "tracking_number": "单号"})
    assert refused.status_code == 400 and "tracking_number" in errors_by_field(refused)
    body = ok(handler.act(case.pk, "deliver", {"method": "post", "tracking_number": "EA123456789CN"}))
    assert body["status"] == "delivered"
    assert body["events"][-1]["payload"]["tracking_number"] == "EA123456789CN"
    # staff of the registering bureau record the petitioner's ratings
    registrar = api_as(world.registrar)
    body = ok(registrar.act(case.pk, "rate", {"track": "bureau", "value": "satisfied"}))
    body = ok(registrar.act(case.pk, "rate", {"track": "unit", "value": "basically", "reason": "较满意"}))
    assert {(r["track"], r["value"]) for r in body["ratings"]} == {
        ("bureau", "satisfied"),
        ("unit", "basically"),
    }
    again = registrar.act(case.pk, "rate", {"track": "unit", "value": "dissatisfied"})
    assert again.status_code == 400 and "不能重复评价" in errors_by_field(again)["track"]["message"]
    assert Rating.objects.filter(case=case).count() == 2


def test_deliver_on_a_future_date_is_refused(world: World, api_as: ApiAs) -> None:
    case = reply_approved(actor=world.handler, case=to_accepted(world), reply=services.ReplyInput(
        outcome="support", request="r", facts="f", reasons="r", legal_basis="l"
    ))  # fmt: skip
    tomorrow = (local_date() + dt.timedelta(days=1)).isoformat()
    response = api_as(world.handler).act(case.pk, "deliver", {"method": "post", "delivered_on": tomorrow})
    assert response.status_code == 400 and "delivered_on" in errors_by_field(response)


def test_terminate_when_the_petitioner_accepts_the_opinion(world: World, api_as: ApiAs) -> None:
    case = to_delivered(world)
    api = api_as(world.handler)
    early = api.act(case.pk, "terminate", {"reason": "window_lapsed"})
    assert early.status_code == 400 and "申请期限尚未届满" in errors_by_field(early)["reason"]["message"]
    body = ok(api.act(case.pk, "terminate", {"reason": "petitioner_accepted"}))
    assert body["status"] == "terminated" and body["next_due_at"] is None


def test_assisting_units_join_a_routed_case(world: World, api_as: ApiAs) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    body = ok(api_as(world.handler).act(case.pk, "assisting-units", {"org_id": world.county_labour.pk}))
    assert (world.county_labour.pk, "assist") in {(u["org"]["id"], u["role"]) for u in body["units"]}
    twice = api_as(world.handler).act(case.pk, "assisting-units", {"org_id": world.county_labour.pk})
    assert twice.status_code == 400 and "已在办理单位中" in errors_by_field(twice)["org_id"]["message"]


def test_link_marks_a_repeat_of_an_earlier_case(world: World, api_as: ApiAs) -> None:
    earlier = register(world)
    later = register(world)
    body = ok(api_as(world.registrar).act(later.pk, "link", {"target_id": earlier.pk, "kind": "repeat"}))
    assert body["repeat_of_id"] == earlier.pk
    backwards = api_as(world.registrar).act(earlier.pk, "link", {"target_id": later.pk, "kind": "repeat"})
    assert backwards.status_code == 400 and "target_id" in errors_by_field(backwards)


def test_an_action_in_the_wrong_state_is_a_409_naming_the_state_in_chinese(
    world: World, api_as: ApiAs
) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    response = api_as(world.handler).act(case.pk, "reply", reply_body())
    assert response.status_code == 409
    (item,) = response.json()["detail"]
    assert item["code"] == "invalid_state" and item["field"] == "status"
    assert item["message"].startswith("当前状态为“待受理”，不能出具处理意见书。")
    assert "受理" in item["message"]  # and it says what the state allows
    assert Case.objects.get(pk=case.pk).status == "routed"


def test_an_action_by_someone_without_the_role_is_a_403(world: World, api_as: ApiAs) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    response = api_as(world.registrar).act(case.pk, "accept", {})  # sees it, but is not the unit
    assert response.status_code == 403
    (item,) = response.json()["detail"]
    assert item["code"] == "forbidden" and world.city_housing.name in item["message"]
    assert kinds(case.pk) == ["registered", "forwarded"]


def test_an_action_body_with_a_bad_choice_is_a_422_naming_the_field(world: World, api_as: ApiAs) -> None:
    case = register(world)
    response = api_as(world.registrar).act(case.pk, "decline", {"legal_channel": "magic", "reasons": "x"})
    assert response.status_code == 422
    assert "litigation" in errors_by_field(response)["legal_channel"]["message"]
    response = api_as(world.registrar).act(case.pk, "answer", reply_body(tags=["lucky"]))
    assert response.status_code == 422 and "tags[0]" in errors_by_field(response)


def test_the_review_organ_sees_its_departments_cases_and_records_a_review_request(
    world: World, api_as: ApiAs
) -> None:
    case = to_delivered(world)
    leader = api_as(world.leader)
    assert leader.get(f"/cases/{case.pk}").status_code == 200  # city_gov oversees city_housing
    body = ok(leader.act(case.pk, "review-request", {"reasons": "对处理意见不服"}))
    assert body["status"] == "reviewing" and body["review_org"]["id"] == world.city_gov.pk


def test_a_review_request_is_404_when_invisible_and_409_in_the_wrong_state(
    world: World, api_as: ApiAs
) -> None:
    delivered = to_delivered(world)
    registered = register(world)
    assert (
        api_as(world.other_clerk).act(delivered.pk, "review-request", {"reasons": "不服"}).status_code == 404
    )
    response = api_as(world.leader).act(registered.pk, "review-request", {"reasons": "不服"})
    assert response.status_code == 409 and "当前状态为“待交转”" in response.json()["detail"][0]["message"]
    assert api_as(world.leader).act(987654, "rereview-request", {"reasons": "不服"}).status_code == 404
    assert kinds(delivered.pk)[-1] == "delivered" and kinds(registered.pk) == ["registered"]


def test_an_action_body_may_be_empty_when_every_field_is_optional(world: World, api_as: ApiAs) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    api = api_as(world.handler)
    response = api.client.post(
        f"/api/v1/cases/{case.pk}/accept", data="", content_type="application/json", headers=api.headers
    )
    assert response.status_code == 200, response.content.decode()
    assert response.json()["status"] == "accepted"


def test_leaders_instructions_through_the_api(world: World, api_as: ApiAs) -> None:
    case = to_accepted(world)
    body = ok(api_as(world.bureau_head).act(case.pk, "send-for-instruction", {"leader_id": world.leader.pk}))
    sent = body["events"][-1]
    assert sent["kind"] == "sent_for_instruction" and sent["payload"]["leader"] == world.leader.pk
    assert "report_on_instruction" not in {
        a["action"] for a in body["allowed_actions"]
    }  # nothing to report yet
    # Not twice while unanswered: 409 naming the leader.
    again = api_as(world.bureau_head).act(case.pk, "send-for-instruction", {"leader_id": world.leader.pk})
    assert again.status_code == 409 and "leader_id" in errors_by_field(again)
    due = (local_date() + dt.timedelta(days=10)).isoformat()
    late = (local_date() + dt.timedelta(days=400)).isoformat()
    far = api_as(world.leader).act(case.pk, "instruct", {"text": "请抓紧办理。", "due_on": late})
    assert far.status_code == 400 and "due_on" in errors_by_field(far)
    body = ok(api_as(world.leader).act(case.pk, "instruct", {"text": "请抓紧办理。", "due_on": due}))
    assert "report_on_instruction" in {a["action"] for a in body["allowed_actions"]}
    assert body["events"][-1]["payload"]["due_on"] == due
    assert body["events"][-1]["payload"]["unit"] == world.city_housing.pk
    # Only the addressed unit reports: 403 for the bureau's registrar.
    refused = api_as(world.registrar).act(
        case.pk, "instruction-report", {"instruction": sent["seq"], "text": "已办"}
    )
    assert refused.status_code == 403
    body = ok(
        api_as(world.handler).act(
            case.pk, "instruction-report", {"instruction": sent["seq"], "text": "已办结。"}
        )
    )
    assert body["events"][-1]["kind"] == "instruction_reported"
    assert kinds(case.pk)[-3:] == ["sent_for_instruction", "instructed", "instruction_reported"]
