from __future__ import annotations

from xinfang.cases import services
from xinfang.cases.models import Status
from xinfang.cases.tests.helpers import register, to_delivered
from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant
from xinfang.testing.world import World


def test_a_case_climbs_the_whole_ladder_to_termination(world: World) -> None:
    case = register(world)
    assert case.status == Status.REGISTERED and case.next_due_at is not None
    case = to_delivered(world, case)
    assert case.status == Status.DELIVERED
    # 复查 by the housing bureau's superior, the city government; 复核 by the province.
    reviewer = world.leader
    case = services.case_review_request(actor=world.leader, case=case, reasons="对处理意见不服")
    assert case.status == Status.REVIEWING and case.review_org == world.city_gov
    case = services.case_review_decide(
        actor=reviewer, case=case, outcome="uphold", opinion="维持原处理意见。"
    )
    assert case.status == Status.REVIEWED
    membership_grant(user=world.leader, org=world.province_gov, role=Role.LEADER)
    case = services.case_rereview_request(actor=world.leader, case=case, reasons="仍然不服")
    assert case.review_org == world.province_gov
    case = services.case_rereview_decide(
        actor=world.leader, case=case, outcome="uphold", opinion="维持复查意见。"
    )
    assert case.status == Status.TERMINATED
    assert case.next_due_at is None
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [
        "registered", "forwarded", "accepted", "reply_submitted", "reply_approved", "replied",
        "delivered", "review_requested",
        "review_decided", "rereview_requested", "rereview_decided", "terminated",
    ]  # fmt: skip
