"""GET /api/v1/alerts says whether an alert is 待研判 for the caller; POST /api/v1/alerts/{id}/review records a 研判."""

from __future__ import annotations

from collections.abc import Callable

from xinfang.api.tests.conftest import Api, errors_by_field
from xinfang.orgs.models import User
from xinfang.testing.world import World
from xinfang.textintel.db.alerts import raise_cluster_alerts
from xinfang.textintel.models import AlertReview, ClusterAlert
from xinfang.textintel.tests.test_alerts import COMPLAINTS, _file

ApiAs = Callable[[User], Api]


def _alert(world: World) -> ClusterAlert:
    _file(world, COMPLAINTS[:3], 0)
    [alert] = raise_cluster_alerts()
    return alert


def test_a_review_is_recorded_and_the_alert_is_no_longer_pending(world: World, api_as: ApiAs) -> None:
    alert = _alert(world)
    api = api_as(world.registrar)
    [before] = api.get("/alerts").json()
    assert before["pending"] is True and before["latest_review"] is None

    response = api.post(
        f"/alerts/{alert.pk}/review", {"org_id": world.city_bureau.pk, "note": " 已报分管领导 "}
    )
    assert response.status_code == 201, response.content
    review = response.json()
    assert review["alert_id"] == alert.pk and review["note"] == "已报分管领导"
    assert review["org"] == {"id": world.city_bureau.pk, "name": "示例市信访局"}
    assert review["reviewed_by"] == "李登记" and review["size_at_review"] == 3 and review["reviewed_at"]
    assert AlertReview.objects.get().pk == review["id"]

    [after] = api.get("/alerts").json()
    assert after["pending"] is False and after["latest_review"] == review
    [for_leader] = api_as(world.leader).get("/alerts").json()  # the city government has not reviewed it
    assert for_leader["pending"] is True and for_leader["latest_review"] == review


def test_refusals_are_4xx_with_the_message(world: World, api_as: ApiAs, anonymous: Api) -> None:
    alert = _alert(world)
    api = api_as(world.registrar)
    path = f"/alerts/{alert.pk}/review"
    bureau = world.city_bureau.pk

    empty = api.post(path, {"org_id": bureau, "note": "  "})
    assert empty.status_code == 400
    assert errors_by_field(empty)["note"]["message"] == "请填写研判意见，例如：已报分管领导、已合并交办。"
    too_long = api.post(path, {"org_id": bureau, "note": "字" * 501})
    assert too_long.status_code == 400 and "不能超过 500 个字" in errors_by_field(too_long)["note"]["message"]

    wrong_org = api.post(path, {"org_id": world.city_housing.pk, "note": "已报分管领导"})
    assert wrong_org.status_code == 403
    assert errors_by_field(wrong_org)["org_id"]["code"] == "forbidden"
    unknown_org = api.post(path, {"org_id": 999_999, "note": "已报分管领导"})
    assert unknown_org.status_code == 400 and "org_id" in errors_by_field(unknown_org)

    invisible = api_as(world.other_clerk).post(path, {"org_id": world.other_county_labour.pk, "note": "已阅"})
    assert invisible.status_code == 404 and "无权查看" in errors_by_field(invisible)["alert"]["message"]
    assert (
        api.post(f"/alerts/{alert.pk + 1000}/review", {"org_id": bureau, "note": "已阅"}).status_code == 404
    )
    missing = api.post(path, {"org_id": bureau})
    assert missing.status_code == 422 and errors_by_field(missing)["note"]["code"] == "required"
    assert anonymous.post(path, {"org_id": bureau, "note": "已阅"}).status_code == 401
    assert AlertReview.objects.count() == 0

    assert api.post(path, {"org_id": bureau, "note": "已报分管领导"}).status_code == 201
    again = api_as(world.bureau_head).post(path, {"org_id": bureau, "note": "已合并交办"})
    assert again.status_code == 409 and errors_by_field(again)[None]["code"] == "conflict"
    assert AlertReview.objects.count() == 1
