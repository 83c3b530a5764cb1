"""A case row changed behind the services' back: the next action is refused with a clear message
on the page and in the API (409), nothing is saved, and the detail is logged (fail closed)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from xinfang.api.tests.conftest import Api
from xinfang.api.tokens import api_token_create
from xinfang.cases import services
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.tests.helpers import register, reply_approved
from xinfang.core.errors import ServiceError
from xinfang.testing.world import World

pytestmark = pytest.mark.django_db
MESSAGE = "该信访件的状态与办理记录不一致"


def _tampered(world: World) -> Case:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    Case.objects.filter(pk=case.pk).update(status="accepted")  # as a database writer might
    return Case.objects.get(pk=case.pk)


def test_the_service_refuses_with_a_service_error_and_saves_nothing(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    case = _tampered(world)
    events = CaseEvent.objects.filter(case=case).count()
    with caplog.at_level(logging.ERROR), pytest.raises(ServiceError) as refused:
        reply_approved(actor=world.handler, case=case, reply=_reply())
    assert refused.value.code == "conflict" and MESSAGE in refused.value.message
    assert CaseEvent.objects.filter(case=case).count() == events
    assert "projection drift" in caplog.text and case.number in caplog.text


def test_the_api_answers_409_and_the_page_shows_the_message(world: World) -> None:
    case = _tampered(world)
    api = Api(api_token_create(user=world.handler, name="测试")[1])
    response = api.act(case.pk, "hearing-start", {"note": "组织听证"})
    assert response.status_code == 409, response.content
    assert MESSAGE in response.json()["detail"][0]["message"]
    client = Client()
    client.force_login(world.handler)
    page = client.post(f"/cases/{case.pk}/act/hearing_start/", {"note": "组织听证"})
    assert page.status_code == 200 and MESSAGE in page.content.decode()
    assert not CaseEvent.objects.filter(case=case, kind="hearing_started").exists()


def _reply() -> services.ReplyInput:
    from xinfang.cases.tests.helpers import a_reply

    return a_reply()
