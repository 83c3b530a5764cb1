"""GET /cases finds a person's matters and words of the text, under the access policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xinfang.api.tests.conftest import Api, errors_by_field
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import ID_NUMBER, register
from xinfang.orgs.models import User
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_the_list_finds_a_person_and_words(world: World, api_as: ApiAs) -> None:
    case = register(world)
    other = register(
        world,
        subject="工资拖欠问题",
        content="拖欠农民工工资。",
        channel="letter",
        petitioners=[PetitionerInput(name="李四", phone="13900139000")],
    )
    api = api_as(world.registrar)
    assert _ids(api.get("/cases", q=ID_NUMBER)) == [case.pk]
    assert _ids(api.get("/cases", id_number=ID_NUMBER.lower())) == [case.pk]
    assert _ids(api.get("/cases", phone="13900139000")) == [other.pk]
    assert _ids(api.get("/cases", name="李 四")) == [other.pk]
    assert _ids(api.get("/cases", query_code=case.query_code)) == [case.pk]
    assert _ids(api.get("/cases", q="农民工")) == [other.pk]
    assert _ids(api.get("/cases", channel="letter")) == [other.pk]
    assert _ids(api_as(world.other_clerk).get("/cases", id_number=ID_NUMBER)) == []


def test_a_bad_search_value_is_named(world: World, api_as: ApiAs) -> None:
    response = api_as(world.registrar).get("/cases", q="x" * 101)
    assert response.status_code == 422 and "q" in errors_by_field(response)
    response = api_as(world.registrar).get("/cases", channel="pigeon")
    assert response.status_code == 422 and "channel" in errors_by_field(response)
