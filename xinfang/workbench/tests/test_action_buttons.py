"""The case page shows only the steps the user may take: the same role checks as the services."""

from __future__ import annotations

import re

from django.test import Client

from xinfang.cases import services
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register, to_accepted, to_delivered
from xinfang.testing.world import World


def _buttons(user: object, case: Case) -> set[str]:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    html = client.get(f"/cases/{case.pk}/").content.decode()
    return set(re.findall(r'data-action="([a-z_]+)"', html))


def test_the_handler_is_not_offered_a_review_request_and_the_organ_above_is(world: World) -> None:
    case = to_delivered(world)
    handler = _buttons(world.handler, case)
    assert "review_request" not in handler and "terminate" in handler
    assert "rate" not in handler  # the rated unit records no rating
    leader = _buttons(world.leader, case)  # 示例市人民政府, above the replying unit
    assert "review_request" in leader
    assert "rate" in _buttons(world.registrar, case)


def test_a_unit_step_is_not_offered_to_a_post_that_may_not_take_it(world: World) -> None:
    case = register(world)
    # The registering bureau routes; a registrar may not 受理 (a unit's step), whatever the status allows.
    registrar = _buttons(world.registrar, case)
    assert {"forward", "assign", "answer", "decline"} <= registrar
    case = to_accepted(world, case)
    # the unit needs approval (the default): its handler submits the draft and asks for the extension
    handler = _buttons(world.handler, case)
    assert {"submit_reply_for_approval", "request_extension"} <= handler and "reply" not in handler
    assert not {"submit_reply_for_approval", "request_extension", "accept"} & _buttons(world.registrar, case)


def test_the_review_decision_is_offered_to_the_reviewing_organ_only(world: World) -> None:
    case = services.case_review_request(actor=world.leader, case=to_delivered(world), reasons="不服")
    # The government's 领导 signs the opinion (本机关负责人), so no draft goes to an approver.
    assert {"review_decide"} <= _buttons(world.leader, case)
    assert "submit_opinion_for_approval" not in _buttons(world.leader, case)
    for other in (world.handler, world.registrar):
        assert not {"review_decide", "submit_opinion_for_approval"} & _buttons(other, case)


def test_a_hearing_is_offered_to_start_while_none_is_open_and_to_end_while_one_is(world: World) -> None:
    case = to_accepted(world)
    buttons = _buttons(world.handler, case)
    assert "hearing_start" in buttons and "hearing_end" not in buttons
    case = services.case_hearing_start(actor=world.handler, case=case, note="组织听证")
    buttons = _buttons(world.handler, case)
    assert "hearing_end" in buttons and "hearing_start" not in buttons
