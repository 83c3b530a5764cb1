"""Intake of an accusation against the registering organ: a 201 receipt, never a 404 (第三十条)."""

from __future__ import annotations

from collections.abc import Callable

from xinfang.api.tests.conftest import Api, errors_by_field, intake_body
from xinfang.cases.models import Case, IdempotencyKey
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Role, User
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]


def _accusation(world: World, **overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "nature": "accusation",
        "subject": "反映信访局工作人员推诿",
        "content": "信访局某工作人员多次拒收材料。",
        "accused_person": "某科长",
        "accused_org_id": world.city_bureau.pk,
        **overrides,
    }
    return intake_body(world, **fields)


def test_without_a_destination_it_is_a_400_on_forward_to_org_id_and_nothing_is_registered(
    world: World, api_as: ApiAs
) -> None:
    # Before: 404 for a case that had just been created, so clients retried and made copies.
    response = api_as(world.registrar).post("/cases", _accusation(world))
    assert response.status_code == 400
    error = errors_by_field(response)["forward_to_org_id"]
    assert "转送机关" in error["message"] and error["code"] == "invalid"
    assert not Case.objects.exists()


def test_an_unknown_or_incompetent_destination_is_refused_on_its_field(world: World, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    unknown = api.post("/cases", _accusation(world, forward_to_org_id=999999))
    assert unknown.status_code == 400
    assert errors_by_field(unknown)["forward_to_org_id"]["message"] == "机构 999999 不存在。"
    incompetent = api.post("/cases", _accusation(world, forward_to_org_id=world.city_housing.pk))
    assert (
        incompetent.status_code == 400
        and "无权办理" in errors_by_field(incompetent)["forward_to_org_id"]["message"]
    )
    wrong_type = api.post("/cases", _accusation(world, forward_to_org_id="纪委"))
    assert wrong_type.status_code == 422 and "forward_to_org_id" in errors_by_field(wrong_type)
    assert not Case.objects.exists()


def test_with_a_destination_it_answers_201_with_a_receipt_only(world: World, api_as: ApiAs) -> None:
    response = api_as(world.registrar).post(
        "/cases", _accusation(world, forward_to_org_id=world.city_discipline.pk)
    )
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get()
    assert body == {
        "id": case.pk,
        "number": case.number,
        "query_code": case.query_code,
        "registered_at": body["registered_at"],
        "forwarded_to": {"id": world.city_discipline.pk, "name": "示例市纪委监委"},
        "notice": "已登记并转送至示例市纪委监委；该检举控告涉及本机关，本机关不再查看其内容（第三十条）。",
    }
    assert case.current_org == world.city_discipline
    assert api_as(world.bureau_head).get(f"/cases/{case.pk}").status_code == 404
    inspector = org_services.staff_user_create(username="jw", full_name="纪检员", password="x-Pass-2026")
    org_services.membership_grant(user=inspector, org=world.city_discipline, role=Role.HANDLER)
    seen = api_as(inspector).get(f"/cases/{case.pk}").json()
    assert seen["accused_org"]["id"] == world.city_bureau.pk
    assert [e["kind"] for e in seen["events"]] == ["registered", "forwarded"]


def test_a_retry_with_the_same_idempotency_key_returns_the_same_receipt(world: World, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    body = _accusation(world, forward_to_org_id=world.city_discipline.pk)
    first = api.post("/cases", body, **{"Idempotency-Key": "hotline-accuse-1"})
    second = api.post("/cases", body, **{"Idempotency-Key": "hotline-accuse-1"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Case.objects.count() == 1 and IdempotencyKey.objects.count() == 1


def test_a_registrar_who_works_at_the_accused_organ_gets_a_receipt_too(world: World, api_as: ApiAs) -> None:
    # The housing department's handler also registers for the bureau; the bureau routes it later.
    org_services.membership_grant(user=world.handler, org=world.city_bureau, role=Role.REGISTRAR)
    response = api_as(world.handler).post("/cases", _accusation(world, accused_org_id=world.city_housing.pk))
    assert response.status_code == 201
    assert response.json()["forwarded_to"] is None and "不能查看" in response.json()["notice"]
    assert api_as(world.registrar).get(f"/cases/{response.json()['id']}").status_code == 200


def test_the_openapi_document_declares_the_destination_and_the_receipt(world: World, api_as: ApiAs) -> None:
    schema = api_as(world.registrar).client.get("/api/v1/openapi.json").json()
    intake = schema["components"]["schemas"]["CaseRegisterIn"]["properties"]
    assert "forward_to_org_id" in intake
    created = schema["paths"]["/api/v1/cases"]["post"]["responses"]["201"]["content"]["application/json"]
    assert "CaseReceiptOut" in str(created["schema"])
