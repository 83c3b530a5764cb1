from __future__ import annotations

from collections.abc import Callable

from xinfang.api.tests.conftest import Api, errors_by_field, intake_body
from xinfang.cases.models import Case, CaseEvent, IdempotencyKey
from xinfang.orgs.models import User
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]


def test_intake_registers_a_case_and_returns_its_detail_with_201(world: World, api_as: ApiAs) -> None:
    response = api_as(world.registrar).post("/cases", intake_body(world))
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get()
    assert body["id"] == case.pk and body["number"] == case.number
    assert body["status"] == "registered" and body["status_label"] == "待交转"
    assert body["registered_org"] == {"id": world.city_bureau.pk, "name": world.city_bureau.name}
    assert body["problem_region"] == {"code": world.county.code, "name": world.county.name}
    assert body["petitioners"][0]["name"] == "张三" and body["petitioners"][0]["masked"] is False
    assert [e["kind"] for e in body["events"]] == ["registered"]
    assert body["events"][0]["actor"] == "李登记" and body["events"][0]["org"] == world.city_bureau.name
    assert {"forward", "assign", "answer", "decline", "accept"} <= {
        a["action"] for a in body["allowed_actions"]
    }
    route = next(c for c in body["clocks"] if c["name"] == "route")
    assert route["state"] == "running" and route["due_on"] and route["legal_ref"]


def test_intake_with_a_bad_channel_is_refused_with_422_naming_the_field(world: World, api_as: ApiAs) -> None:
    response = api_as(world.registrar).post("/cases", intake_body(world, channel="pigeon"))
    assert response.status_code == 422
    error = errors_by_field(response)["channel"]
    assert error["code"] == "invalid" and "取值无效" in error["message"] and "letter" in error["message"]
    assert not Case.objects.exists()


def test_intake_names_every_missing_field_and_nested_petitioner_fields(world: World, api_as: ApiAs) -> None:
    body = intake_body(world, petitioners=[{"phone": "1"}])
    del body["subject"], body["org_id"]
    response = api_as(world.registrar).post("/cases", body)
    assert response.status_code == 422
    errors = errors_by_field(response)
    assert errors["subject"] == {"field": "subject", "message": "此项为必填项。", "code": "required"}
    assert errors["org_id"]["code"] == "required"
    assert errors["petitioners[0].name"]["code"] == "required"


def test_intake_reports_wrong_types_and_bounds_in_chinese(world: World, api_as: ApiAs) -> None:
    body = intake_body(world, headcount=0, received_on="yesterday", category_code="3", org_id=2**70)
    response = api_as(world.registrar).post("/cases", body)
    assert response.status_code == 422
    errors = errors_by_field(response)
    assert errors["headcount"]["message"] == "不能小于 1。"
    assert "日期" in errors["received_on"]["message"]
    assert errors["category_code"]["message"] == "格式不正确。"
    assert "不能大于" in errors["org_id"]["message"]


def test_numbers_and_booleans_in_a_body_are_not_coerced_from_text(world: World, api_as: ApiAs) -> None:
    """The document declares integers and booleans: "5", "2" and "true" are refused, naming each
    field, instead of being read as numbers (query parameters are text and still parse)."""
    body = intake_body(world, org_id=str(world.city_bureau.pk), headcount="2", via_proper_ladder="true")
    body["petitioners"][0]["is_representative"] = 1
    response = api_as(world.registrar).post("/cases", body)
    assert response.status_code == 422
    errors = errors_by_field(response)
    assert {"org_id", "headcount", "via_proper_ladder", "petitioners[0].is_representative"} <= set(errors)
    assert not Case.objects.exists()
    good = intake_body(world, headcount=2, via_proper_ladder=True)
    assert api_as(world.registrar).post("/cases", good).status_code == 201
    assert api_as(world.registrar).get("/cases", org_id=str(world.city_bureau.pk)).status_code == 200


def test_intake_refuses_unknown_references_with_400_naming_the_field(world: World, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    response = api.post("/cases", intake_body(world, category_code="999999"))
    assert response.status_code == 400
    assert errors_by_field(response)["category_code"]["message"] == "内容分类“999999”不存在。"
    response = api.post("/cases", intake_body(world, problem_region_code="123456"))
    assert errors_by_field(response)["problem_region_code"]["code"] == "invalid"
    response = api.post("/cases", intake_body(world, org_id=999999))
    assert errors_by_field(response)["org_id"]["message"] == "机构 999999 不存在。"


def test_intake_passes_on_the_services_refusals_with_their_field(world: World, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    people = [{"name": f"代表{i}", "is_representative": True} for i in range(6)]
    response = api.post("/cases", intake_body(world, headcount=30, petitioners=people))
    assert response.status_code == 400
    assert "代表人数不得超过 5 人" in errors_by_field(response)["petitioners"]["message"]
    response = api.post("/cases", intake_body(world, petitioners=[{"name": "李四", "id_number": "123"}]))
    assert "身份证号码" in errors_by_field(response)["petitioners[0].id_number"]["message"]
    response = api.post("/cases", intake_body(world, accused_org_id=world.city_housing.pk))
    assert errors_by_field(response)["accused_org_id"]["message"] == "只有检举控告类事项可以填写被反映单位。"
    assert not Case.objects.exists()


def test_intake_at_an_org_where_the_user_has_no_role_is_forbidden(world: World, api_as: ApiAs) -> None:
    response = api_as(world.other_clerk).post("/cases", intake_body(world))
    assert response.status_code == 403
    (item,) = response.json()["detail"]
    assert item["code"] == "forbidden" and world.city_bureau.name in item["message"]


def test_a_body_that_is_not_json_is_a_400_not_a_500(world: World, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    response = api.client.post(
        "/api/v1/cases", data="{not json", content_type="application/json", headers=api.headers
    )
    assert response.status_code == 400
    assert errors_by_field(response)["body"]["message"] == "请求体不是有效的 JSON。"
    response = api.client.post(
        "/api/v1/cases", data="[1, 2]", content_type="application/json", headers=api.headers
    )
    assert response.status_code == 422


def test_text_with_a_nul_character_is_refused_before_it_reaches_the_database(
    world: World, api_as: ApiAs
) -> None:
    response = api_as(world.registrar).post("/cases", intake_body(world, subject="标题\x00"))
    assert response.status_code == 422
    assert (
        errors_by_field(response)["subject"]["message"]
        == "不能包含控制字符（第 3 个字符为 U+0000）；换行请用 \\n。"
    )


def test_the_same_idempotency_key_twice_registers_one_case_and_replays_it_with_200(
    world: World, api_as: ApiAs
) -> None:
    api = api_as(world.registrar)
    first = api.post("/cases", intake_body(world), **{"Idempotency-Key": "hotline-2026-0001"})
    second = api.post("/cases", intake_body(world), **{"Idempotency-Key": "hotline-2026-0001"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Case.objects.count() == 1 and IdempotencyKey.objects.count() == 1


def test_the_same_key_from_another_user_registers_a_separate_case(world: World, api_as: ApiAs) -> None:
    headers = {"Idempotency-Key": "shared-key"}
    mine = api_as(world.registrar).post("/cases", intake_body(world), **headers)
    theirs = api_as(world.bureau_head).post("/cases", intake_body(world), **headers)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"] and Case.objects.count() == 2


def test_an_idempotent_intake_that_fails_validation_leaves_no_key_behind(world: World, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    refused = api.post("/cases", intake_body(world, category_code="999999"), **{"Idempotency-Key": "k1"})
    assert refused.status_code == 400 and not IdempotencyKey.objects.exists()
    assert api.post("/cases", intake_body(world), **{"Idempotency-Key": "k1"}).status_code == 201


def test_a_blank_or_overlong_idempotency_key_is_refused(world: World, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    blank = api.post("/cases", intake_body(world), **{"Idempotency-Key": "   "})
    assert blank.status_code == 422 and "Idempotency-Key" in errors_by_field(blank)
    long = api.post("/cases", intake_body(world), **{"Idempotency-Key": "k" * 129})
    assert long.status_code == 422 and "Idempotency-Key" in errors_by_field(long)
    assert not Case.objects.exists()


# ---------------------------------------------------------------- the suggestion the client was given


def _recorded_suggestion(case: Case) -> dict[str, object] | None:
    return CaseEvent.objects.get(case=case, kind="registered").payload.get("suggestion")


def test_intake_records_the_suggestion_sent_with_it(world: World, api_as: ApiAs) -> None:
    suggestion = {
        "suggested_category": "城乡建设",
        "confidence": 0.8712,
        "suggested_unit": world.city_housing.pk,
    }
    response = api_as(world.registrar).post("/cases", intake_body(world, suggestion=suggestion))
    assert response.status_code == 201
    assert _recorded_suggestion(Case.objects.get()) == {
        "suggested_category": "城乡建设",
        "confidence": 0.8712,
        "suggested_unit": world.city_housing.pk,
        "suggested_unit_name": "示例市住房和城乡建设局",
    }


def test_intake_records_a_partial_suggestion_and_none_without_one(world: World, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    unsure = {"suggested_category": None, "confidence": 0.41}
    assert api.post("/cases", intake_body(world, suggestion=unsure)).status_code == 201
    unit_only = {"suggested_unit": world.county_labour.pk}
    assert api.post("/cases", intake_body(world, suggestion=unit_only)).status_code == 201
    assert api.post("/cases", intake_body(world)).status_code == 201
    assert api.post("/cases", intake_body(world, suggestion=None)).status_code == 201
    first, second, third, fourth = Case.objects.order_by("pk")
    assert _recorded_suggestion(first) == {"suggested_category": None, "confidence": 0.41}
    assert _recorded_suggestion(second) == {
        "suggested_unit": world.county_labour.pk,
        "suggested_unit_name": "青山县人力资源和社会保障局",
    }
    assert _recorded_suggestion(third) is None and _recorded_suggestion(fourth) is None


def test_intake_refuses_a_bad_suggestion_naming_the_field(world: World, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    response = api.post("/cases", intake_body(world, suggestion={"confidence": 1.5}))
    assert response.status_code == 422
    assert errors_by_field(response)["suggestion.confidence"]["message"] == "不能大于 1.0。"
    response = api.post("/cases", intake_body(world, suggestion={"confidence": "很高"}))
    assert response.status_code == 422 and "suggestion.confidence" in errors_by_field(response)
    response = api.post("/cases", intake_body(world, suggestion={"suggested_unit": "城建局"}))
    assert response.status_code == 422 and "suggestion.suggested_unit" in errors_by_field(response)
    response = api.post("/cases", intake_body(world, suggestion={"suggested_unit": 999999}))
    assert response.status_code == 400
    assert errors_by_field(response)["suggestion.suggested_unit"]["message"] == "机构 999999 不存在。"
    response = api.post("/cases", intake_body(world, suggestion="城乡建设"))
    assert response.status_code == 422 and "suggestion" in errors_by_field(response)
    assert not Case.objects.exists()
