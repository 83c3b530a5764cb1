"""The 审核 page and the approval steps on the case page."""

from __future__ import annotations

from xinfang.cases import services
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import a_reply, register, to_accepted
from xinfang.orgs.services import org_update
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import World


def _html(user: object, url: str) -> str:
    response = _client(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_approver_sees_the_request_with_the_draft_and_may_decide_it(world: World) -> None:
    case = to_accepted(world)
    case = services.case_submit_reply_for_approval(
        actor=world.handler, case=case, reply=a_reply(facts="经现场核查，外墙裂缝属实。")
    )
    listing = _html(world.approver, "/approvals/")
    assert f'data-case="{case.pk}"' in listing and "处理意见书" in listing and "刘承办" in listing
    page = _html(world.approver, f"/cases/{case.pk}/")
    assert 'id="pending-approvals"' in page and "经现场核查，外墙裂缝属实。" in page
    assert 'data-action="approve_reply"' in page and 'data-action="return_reply"' in page
    assert 'data-action="reply"' not in page  # the unit needs approval: no direct issue
    form = _html(world.approver, f"/cases/{case.pk}/act/approve_reply/")
    assert "信访内容" in form and "法定期限" in form and "经现场核查，外墙裂缝属实。" in form
    # The drafter sees the request waiting but cannot decide it, nor submit a second one.
    own = _html(world.handler, f"/cases/{case.pk}/")
    assert 'id="pending-approvals"' in own and 'data-action="approve_reply"' not in own
    assert 'data-action="submit_reply_for_approval"' not in own
    assert f'data-case="{case.pk}"' not in _html(world.handler, "/approvals/")


def test_a_returned_request_shows_its_reason_to_the_requester(world: World) -> None:
    case = services.case_request_extension(
        actor=world.handler, case=to_accepted(world), days=15, reason="鉴定"
    )
    response = _client(world.approver).post(
        f"/cases/{case.pk}/act/return_extension/", {"reason": "鉴定期间可申请听证"}
    )
    assert response.status_code == 302
    mine = _html(world.handler, "/approvals/")
    assert "已退回" in mine and "鉴定期间可申请听证" in mine
    page = _html(world.handler, f"/cases/{case.pk}/")
    assert "延期申请退回" in page and 'id="pending-approvals"' not in page
    assert 'data-action="request_extension"' in page  # may ask again


def test_a_return_without_a_reason_is_refused_on_the_field(world: World) -> None:
    case = services.case_request_extension(
        actor=world.handler, case=to_accepted(world), days=15, reason="鉴定"
    )
    html = _client(world.approver).post(f"/cases/{case.pk}/act/return_extension/", {"reason": ""})
    assert "请填写退回理由" in html.content.decode()
    assert Case.objects.get(pk=case.pk).events.order_by("-seq").first().kind == "extension_requested"


def test_the_direct_reply_page_refuses_where_approval_is_needed_and_not_where_it_is_not(world: World) -> None:
    case = to_accepted(world)
    data = {
        "outcome": "support",
        "request": "请求维修",
        "facts": "属实",
        "reasons": "保修范围",
        "legal_basis": "条例",
    }
    refused = _client(world.handler).post(f"/cases/{case.pk}/act/reply/", data).content.decode()
    assert "请使用“提交处理意见书审核”" in refused and Case.objects.get(pk=case.pk).status == "accepted"
    org_update(org=world.city_housing, requires_approval=False)
    assert _client(world.handler).post(f"/cases/{case.pk}/act/reply/", data).status_code == 302
    assert Case.objects.get(pk=case.pk).status == "replied"


def test_the_approvals_page_is_for_staff_and_lists_only_visible_cases(world: World) -> None:
    assert _client(world.citizen).get("/approvals/").status_code == 403
    services.case_request_extension(actor=world.handler, case=to_accepted(world), days=5, reason="x")
    outsider = _html(world.other_clerk, "/approvals/")
    assert "没有待您审核的事项。" in outsider
    assert register(world).pk  # an unrouted case adds nothing to anyone's queue
    assert len(services_pending(world)) == 1


def services_pending(world: World) -> list[object]:
    from xinfang.cases.selectors import approvals_pending

    return list(approvals_pending(world.approver))
