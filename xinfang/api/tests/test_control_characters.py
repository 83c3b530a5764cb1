"""Control characters in API texts: refused with a 422 naming the field (CR normalised), and the
refusal declared in the OpenAPI document as each text's `pattern`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from xinfang.api.tests.conftest import Api, errors_by_field, intake_body, reply_body
from xinfang.cases.models import Case, CaseEvent, Petitioner
from xinfang.cases.tests.helpers import register, to_accepted
from xinfang.core.text import FORBIDDEN_JSON_PATTERN
from xinfang.orgs.models import User
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]


@pytest.mark.parametrize(
    ("overrides", "field", "code_point"),
    [
        ({"content": "房屋墙体开裂\x0b请求维修"}, "content", "U+000B"),  # a vertical tab pasted from Word
        ({"content": "第一页\x0c第二页"}, "content", "U+000C"),
        ({"subject": "标题\x1b[0m"}, "subject", "U+001B"),
        ({"accused_person": "王\x7f某"}, "accused_person", "U+007F"),
        ({"petitioners": [{"name": "张\x00三"}]}, "petitioners[0].name", "U+0000"),
        (
            {"petitioners": [{"name": "张三", "address": "幸福路\x85一号"}]},
            "petitioners[0].address",
            "U+0085",
        ),
    ],
)
def test_intake_with_a_control_character_is_refused_with_422_naming_the_field(
    world: World, api_as: ApiAs, overrides: dict[str, Any], field: str, code_point: str
) -> None:
    response = api_as(world.registrar).post("/cases", intake_body(world, **overrides))
    assert response.status_code == 422, response.content
    error = errors_by_field(response)[field]
    assert error["code"] == "invalid"
    assert "不能包含控制字符" in error["message"] and code_point in error["message"]
    assert not Case.objects.exists()


def test_intake_normalises_cr_lf_and_cr_and_keeps_tab_and_lf(world: World, api_as: ApiAs) -> None:
    body = intake_body(world, content="第一行\r\n第二行\r第三行\n第四行\t完")
    response = api_as(world.registrar).post("/cases", body)
    assert response.status_code == 201, response.content
    assert Case.objects.get().content == "第一行\n第二行\n第三行\n第四行\t完"


def test_a_reply_with_a_vertical_tab_in_the_facts_is_refused_and_nothing_is_recorded(
    world: World, api_as: ApiAs
) -> None:
    case = to_accepted(world)
    response = api_as(world.handler).act(case.pk, "reply", reply_body(facts="经现场核查\x0b外墙存在裂缝"))
    assert response.status_code == 422
    assert "U+000B" in errors_by_field(response)["facts"]["message"]
    assert not CaseEvent.objects.filter(case=case, kind="replied").exists()


def test_a_note_with_a_control_character_is_refused_on_an_action(world: World, api_as: ApiAs) -> None:
    case = register(world)
    response = api_as(world.registrar).act(
        case.pk, "forward", {"to_org_id": world.city_housing.pk, "note": "\x07"}
    )
    assert response.status_code == 422
    assert "U+0007" in errors_by_field(response)["note"]["message"]
    assert Case.objects.get(pk=case.pk).status == "registered"
    assert Petitioner.objects.filter(case=case).exists()


def _request_schemas(spec: dict[str, Any]) -> set[str]:
    """The component names of every request body (and what they reference in turn)."""
    names: set[str] = set()
    for path in spec["paths"].values():
        for operation in path.values():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                names |= set(re.findall(r"#/components/schemas/(\w+)", str(media["schema"])))
    pending = list(names)
    while pending:
        found = set(
            re.findall(r"#/components/schemas/(\w+)", str(spec["components"]["schemas"][pending.pop()]))
        )
        pending.extend(found - names)
        names |= found
    return names


def _strings(schema: dict[str, Any]) -> list[dict[str, Any]]:
    options = schema.get("anyOf", [schema])
    return [option for option in options if option.get("type") == "string"]


def test_every_free_text_of_a_request_body_declares_the_control_character_pattern(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    checked = []
    for name in sorted(_request_schemas(spec)):
        for field, schema in spec["components"]["schemas"][name].get("properties", {}).items():
            for option in _strings(schema):
                if "enum" in option or "const" in option or "format" in option:
                    continue  # a choice or a date: no free text
                if option.get("pattern", "").startswith("^[0-9"):
                    continue  # a code (category, region): digits only, stricter still
                assert option.get("pattern") == FORBIDDEN_JSON_PATTERN, f"{name}.{field}"
                checked.append(f"{name}.{field}")
    assert {"CaseRegisterIn.content", "PetitionerIn.name", "ReplyIn.facts", "NoteIn.note"} <= set(checked)
    assert len(checked) >= 25
