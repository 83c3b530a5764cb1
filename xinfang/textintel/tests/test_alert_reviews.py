"""研判 of a 类案预警: recorded per organ, 待研判 again when the cluster grows and is raised again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Role, User
from xinfang.testing.world import PASSWORD, World
from xinfang.textintel.db.alerts import (
    alerts_for,
    pending_alert_count,
    pending_alerts_for,
    raise_cluster_alerts,
    review_alert,
)
from xinfang.textintel.models import AlertReview, ClusterAlert
from xinfang.textintel.tests.test_alerts import COMPLAINTS, _file

Freeze = Callable[[str], Any]


def _pending(user: User) -> list[int]:
    """The pending alerts by both roads (the page's list and the badge's count), which must agree."""
    ids = [view.alert.pk for view in pending_alerts_for(user)]
    assert pending_alert_count(user) == len(ids)
    return ids


def _one_alert(world: World, freeze: Freeze) -> ClusterAlert:
    freeze("2026-03-02 09:00")
    _file(world, COMPLAINTS[:3], 0)
    [alert] = raise_cluster_alerts()
    return alert


def test_pending_reviewed_then_pending_again_when_the_cluster_grows(world: World, freeze: Freeze) -> None:
    alert = _one_alert(world, freeze)
    assert _pending(world.registrar) == [alert.pk]
    assert _pending(world.bureau_head) == [alert.pk]

    reviewed_at = freeze("2026-03-02 10:00")
    review = review_alert(world.registrar, alert.pk, world.city_bureau.pk, "  已报分管领导  ")
    assert (review.alert, review.org, review.reviewed_by) == (alert, world.city_bureau, world.registrar)
    assert review.note == "已报分管领导" and review.size_at_review == 3 and review.reviewed_at == reviewed_at
    # reviewed for the organ, so for everyone reviewing in it
    assert _pending(world.registrar) == [] and _pending(world.bureau_head) == []
    [view] = alerts_for(world.bureau_head)
    assert not view.pending and view.latest_review == review
    # the city government has not reviewed it: still pending there
    assert _pending(world.leader) == [alert.pk]

    freeze("2026-03-03 03:00")
    _file(world, COMPLAINTS[3:6], 10)  # 3 -> 6: raised again
    [again] = raise_cluster_alerts()
    assert again.pk == alert.pk and again.last_size == 6
    assert _pending(world.registrar) == [alert.pk]
    [view] = alerts_for(world.registrar)
    assert view.pending and view.pending_orgs == (world.city_bureau,) and view.latest_review == review

    freeze("2026-03-03 09:00")
    second = review_alert(world.bureau_head, alert.pk, world.city_bureau.pk, "已合并交办")
    assert second.size_at_review == 6 and _pending(world.registrar) == []
    assert alerts_for(world.registrar)[0].latest_review == second


def test_a_review_during_the_daily_run_does_not_hide_the_growth(world: World, freeze: Freeze) -> None:
    """The job's moment is taken before it locks the alerts: a review committed meanwhile is later
    than the raise it did not see, and must not count for the grown cluster."""
    alert = _one_alert(world, freeze)
    raise_moment = freeze("2026-03-03 03:00")
    _file(world, COMPLAINTS[3:6], 10)
    freeze("2026-03-03 03:01")
    review_alert(world.registrar, alert.pk, world.city_bureau.pk, "已报分管领导")
    raise_cluster_alerts(moment=raise_moment)
    assert ClusterAlert.objects.get().last_raised_at == raise_moment
    assert _pending(world.registrar) == [alert.pk]


def test_an_organ_reviews_once_per_raise(world: World, freeze: Freeze) -> None:
    alert = _one_alert(world, freeze)
    review_alert(world.registrar, alert.pk, world.city_bureau.pk, "已报分管领导")
    with pytest.raises(ServiceError) as refused:
        review_alert(world.bureau_head, alert.pk, world.city_bureau.pk, "再记一次")
    assert refused.value.code == "conflict" and "示例市信访局已研判过" in refused.value.message
    assert AlertReview.objects.count() == 1


def test_refusals_name_the_problem_and_write_nothing(world: World, freeze: Freeze) -> None:
    alert = _one_alert(world, freeze)
    bureau = world.city_bureau.pk

    def refused(user: User, alert_id: int, org_id: int, note: str) -> ServiceError:
        with pytest.raises(ServiceError) as caught:
            review_alert(user, alert_id, org_id, note)
        return caught.value

    empty = refused(world.registrar, alert.pk, bureau, "   ")
    assert (empty.field, empty.message) == ("note", "请填写研判意见，例如：已报分管领导、已合并交办。")
    long = refused(world.registrar, alert.pk, bureau, "字" * 501)
    assert long.field == "note" and "不能超过 500 个字" in long.message

    wrong_org = refused(world.registrar, alert.pk, world.city_housing.pk, "已报分管领导")
    assert isinstance(wrong_org, NotAllowed) and wrong_org.field == "org_id"
    assert "只有示例市住房和城乡建设局的登记员" in wrong_org.message and "研判类案预警" in wrong_org.message
    missing_org = refused(world.registrar, alert.pk, 999_999, "已报分管领导")
    assert missing_org.field == "org_id" and "999999" in missing_org.message

    invisible = refused(world.other_clerk, alert.pk, world.other_county_labour.pk, "已报分管领导")
    assert invisible.code == "not_found" and "无权查看" in invisible.message
    unknown = refused(world.registrar, alert.pk + 1000, bureau, "已报分管领导")
    assert unknown.code == "not_found"
    assert refused(world.citizen, alert.pk, bureau, "已报分管领导").code == "not_found"
    assert AlertReview.objects.count() == 0


def test_who_has_no_reviewing_role_is_refused_and_told_nothing_is_pending(
    world: World, freeze: Freeze
) -> None:
    alert = _one_alert(world, freeze)
    viewer = org_services.staff_user_create(username="stats", full_name="赵统计", password=PASSWORD)
    org_services.membership_grant(user=viewer, org=world.city_bureau, role=Role.STATS_VIEWER)
    [view] = alerts_for(viewer)  # sees the alert ...
    assert not view.pending and _pending(viewer) == []  # ... but has nothing to review
    with pytest.raises(NotAllowed) as refused:
        review_alert(viewer, alert.pk, world.city_bureau.pk, "已阅")
    assert refused.value.field == "org_id" and "示例市信访局" in refused.value.message
    assert _pending(world.other_clerk) == [] and _pending(world.citizen) == []
    assert AlertReview.objects.count() == 0


def test_a_user_in_several_organs_reviews_for_each(world: World, freeze: Freeze) -> None:
    org_services.membership_grant(user=world.registrar, org=world.county_bureau, role=Role.HANDLER)
    alert = _one_alert(world, freeze)
    [view] = alerts_for(world.registrar)
    assert view.pending_orgs == (world.city_bureau, world.county_bureau)
    review_alert(world.registrar, alert.pk, world.county_bureau.pk, "已转县信访局研判")
    [view] = alerts_for(world.registrar)
    assert view.pending_orgs == (world.city_bureau,) and _pending(world.registrar) == [alert.pk]
    review_alert(world.registrar, alert.pk, world.city_bureau.pk, "已报分管领导")
    assert _pending(world.registrar) == []


def test_the_badge_count_costs_one_query_when_nothing_is_pending(
    world: World, freeze: Freeze, django_assert_num_queries: Any, django_assert_max_num_queries: Any
) -> None:
    alert = _one_alert(world, freeze)
    with django_assert_max_num_queries(3):
        assert pending_alert_count(world.registrar) == 1
    review_alert(world.registrar, alert.pk, world.city_bureau.pk, "已报分管领导")
    with django_assert_num_queries(1):
        assert pending_alert_count(world.registrar) == 0
    with django_assert_num_queries(0):
        assert pending_alert_count(world.citizen) == 0
