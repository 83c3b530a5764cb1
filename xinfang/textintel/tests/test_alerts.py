"""Daily 类案预警: raised once for a new cluster, again only when it has grown by half."""

from __future__ import annotations

from typing import Any

from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import register
from xinfang.core.schedule import registered_jobs
from xinfang.core.timeutil import now
from xinfang.testing.world import World
from xinfang.textintel.db.alerts import alerts_for, raise_cluster_alerts
from xinfang.textintel.models import ClusterAlert
from xinfang.textintel.tasks import cluster_alerts

COMPLAINTS = [
    ("翠湖花园小区楼下餐馆油烟扰民", "翠湖花园小区楼下新开的餐馆油烟直排，熏得住户无法开窗，请求处理。"),
    ("投诉翠湖花园餐馆油烟污染", "翠湖花园3栋楼下餐馆油烟很大，晚上噪音也大，影响居民生活。"),
    ("翠湖花园油烟扰民问题", "翠湖花园小区底商餐馆油烟扰民，多次反映无果，请环保部门查处。"),
    ("翠湖花园小区餐馆油烟严重", "翠湖花园楼下的餐馆每天油烟熏人，请求督促安装油烟净化设备。"),
    ("再次反映翠湖花园餐馆油烟", "翠湖花园小区餐馆油烟问题仍未解决，住户身体受到影响。"),
    ("翠湖花园餐馆油烟直排", "翠湖花园小区门口餐馆油烟直排，请相关部门尽快处理。"),
]
UNRELATED = [
    ("河口县农民工工资被拖欠", "某建筑工地拖欠农民工工资三个月，请劳动监察介入。"),
    ("城关镇道路破损", "城关镇幸福路路面破损严重，雨天积水，请求修缮。"),
]


def _file(world: World, pairs: list[tuple[str, str]], start: int) -> list[Any]:
    return [
        register(
            world,
            subject=subject,
            content=content,
            petitioners=[PetitionerInput(name=f"居民{start + i}", phone=f"1380013{start + i:04d}")],
        )
        for i, (subject, content) in enumerate(pairs)
    ]


def test_running_twice_raises_once_and_growth_raises_again(world: World) -> None:
    first = _file(world, COMPLAINTS[:3] + UNRELATED, 0)
    raised = raise_cluster_alerts()
    assert len(raised) == 1
    alert = raised[0]
    assert set(alert.case_ids) == {c.pk for c in first[:3]}
    assert alert.size == alert.last_size == 3 and "新出现" in alert.reason
    assert "翠湖花园" in alert.place + alert.title

    assert raise_cluster_alerts() == []  # the next day: same cluster, not raised again
    _file(world, COMPLAINTS[3:4], 10)  # 3 -> 4: not yet half as big again
    assert raise_cluster_alerts() == []
    assert ClusterAlert.objects.get().size == 4

    _file(world, COMPLAINTS[4:6], 20)  # 3 -> 6 since last raised
    [again] = raise_cluster_alerts()
    assert again.pk == alert.pk and again.last_size == 6 and "增长" in again.reason
    assert ClusterAlert.objects.count() == 1
    assert raise_cluster_alerts() == []


def test_a_bureau_sees_only_alerts_with_cases_it_can_see(world: World) -> None:
    _file(world, COMPLAINTS[:4], 0)
    raise_cluster_alerts()
    [view] = alerts_for(world.registrar)
    assert len(view.cases) == 4 and view.title
    assert alerts_for(world.other_clerk) == []
    assert alerts_for(world.citizen) == []


def test_the_task_is_a_registered_daily_job(world: World) -> None:
    job = next(job for job in registered_jobs() if job.name == "cluster_alerts")
    assert job.task_path == "xinfang.textintel.tasks.cluster_alerts"
    assert job.every.days == 1
    _file(world, COMPLAINTS[:3], 0)
    assert cluster_alerts.call() == {"raised": 1}
    assert ClusterAlert.objects.filter(last_raised_at__lte=now()).count() == 1
