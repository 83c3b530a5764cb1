"""POST /api/v1/cases/similar (duplicate and unit suggestions) and GET /api/v1/alerts, limited to what the
caller may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xinfang.api.tests.conftest import Api
from xinfang.cases import services
from xinfang.cases.models import CaseEvent
from xinfang.cases.tests.helpers import ID_NUMBER, register
from xinfang.orgs.models import User
from xinfang.testing.world import World
from xinfang.textintel.db.alerts import raise_cluster_alerts
from xinfang.textintel.tests.test_alerts import COMPLAINTS, _file
from xinfang.textintel.tests.test_intake import CONTENT, CONTENT_TW, PERSON, SUBJECT, SUBJECT_TW

ApiAs = Callable[[User], Api]


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": SUBJECT_TW,
        "content": CONTENT_TW,
        "problem_region_code": "990121",
        "petitioners": [{"name": "張三", "id_number": ID_NUMBER}],
    }
    body.update(overrides)
    return body


def test_similar_finds_the_repeat_and_saves_nothing(
    world: World, api_as: ApiAs, django_capture_on_commit_callbacks: Any, settings: Any, tmp_path: Any
) -> None:
    settings.XINFANG_TEXTINTEL_MODEL_DIR = tmp_path / "none"  # no model: no category suggestion
    with django_capture_on_commit_callbacks(execute=True):
        case = register(world, subject=SUBJECT, content=CONTENT, petitioners=[PERSON])
    response = api_as(world.registrar).post("/cases/similar", _body())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["category"] is None
    [hit] = body["suggestions"]
    assert hit["kind"] == "重复信访" and hit["case_id"] == case.pk and hit["number"] == case.number
    assert "身份证号一致" in hit["evidence"] and ID_NUMBER not in response.content.decode()
    # another unit that cannot see the case gets nothing about it
    response = api_as(world.other_clerk).post("/cases/similar", _body())
    assert response.status_code == 200 and response.json()["suggestions"] == []


def test_similar_names_an_earlier_case_once_for_a_matter_of_two_petitioners(
    world: World, api_as: ApiAs, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = register(world, subject=SUBJECT, content=CONTENT, petitioners=[PERSON])
    petitioners = [
        {"name": "張三", "id_number": ID_NUMBER},
        {"name": "李四", "id_number": "110105198001010018", "phone": "13900139000"},
    ]
    response = api_as(world.registrar).post("/cases/similar", _body(petitioners=petitioners))
    assert response.status_code == 200, response.content
    [hit] = response.json()["suggestions"]
    assert (hit["kind"], hit["case_id"]) == ("重复信访", case.pk)
    assert hit["evidence"][:2] == ["身份证号一致", "1/2 名信访人为同一人"]
    assert "身份证号不同" not in hit["evidence"]


def test_similar_needs_a_token_and_valid_input(world: World, api_as: ApiAs, anonymous: Api) -> None:
    assert anonymous.post("/cases/similar", _body()).status_code == 401
    response = api_as(world.registrar).post("/cases/similar", _body(problem_region_code="x"))
    assert response.status_code == 422
    response = api_as(world.registrar).post("/cases/similar", {})
    assert response.status_code == 200 and response.json()["suggestions"] == []


def test_similar_suggests_the_unit_past_cases_went_to(world: World, api_as: ApiAs) -> None:
    for _ in range(2):
        services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    events = CaseEvent.objects.count()
    response = api_as(world.registrar).post("/cases/similar", _body(category_code="030400"))
    assert response.status_code == 200, response.content
    [unit] = response.json()["units"]
    assert unit == {
        "org_id": world.city_housing.pk,
        "org_name": "示例市住房和城乡建设局",
        "count": 2,
        "total": 2,
        "share": 1.0,
        "text": "示例市住房和城乡建设局（过去同类 2 件中 2 件）",
    }
    assert CaseEvent.objects.count() == events
    assert api_as(world.registrar).post("/cases/similar", _body()).json()["units"] == []
    assert api_as(world.other_clerk).post("/cases/similar", _body(category_code="03")).json()["units"] == []
    response = api_as(world.registrar).post("/cases/similar", _body(category_code="x"))
    assert response.status_code == 422


def test_alerts_lists_what_the_caller_may_see(world: World, api_as: ApiAs, anonymous: Api) -> None:
    cases = _file(world, COMPLAINTS[:3], 0)
    [alert] = raise_cluster_alerts()
    response = api_as(world.registrar).get("/alerts")
    assert response.status_code == 200, response.content
    [out] = response.json()
    assert out["id"] == alert.pk and out["title"] == alert.title and out["size"] == 3
    assert "新出现的类案" in out["reason"] and out["first_raised_at"] and out["last_raised_at"]
    assert {c["id"] for c in out["cases"]} == {c.pk for c in cases}
    assert {c["number"] for c in out["cases"]} == {c.number for c in cases}
    assert api_as(world.other_clerk).get("/alerts").json() == []
    assert anonymous.get("/alerts").status_code == 401
