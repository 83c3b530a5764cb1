"""The back office: a scheme's items are checked as they are saved, a 通报 template is previewed on
invented scores, and the frozen scores are read-only."""

from __future__ import annotations

from django.test import Client

from xinfang.assessment.models import Scheme
from xinfang.orgs import services as org_services
from xinfang.statistics.models import ReportTemplate
from xinfang.testing.world import World

NOTICE = "考核结果通报（标准）"


def _admin(world: World) -> Client:
    user = org_services.staff_user_create(username="root", full_name="管理员", password="Root-Pass-2026x")
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def _scheme_form(world: World, **item: str) -> dict[str, str]:
    data = {
        "org": str(world.city_bureau.pk),
        "year": "2026",
        "name": "市直单位考核",
        "description": "",
        "units": [str(world.city_housing.pk)],
        "top_count": "3",
        "is_active": "on",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-position": "1",
        "items-0-name": "按期办结率",
        "items-0-indicator": "按期办结率",
        "items-0-rule": "linear",
        "items-0-weight": "40",
        "items-0-floor": "60",
        "items-0-target": "100",
        "items-0-steps": "",
        "items-0-cap": "",
        "items-0-when_empty": "full",
        "items-0-note": "",
    }
    data.update({f"items-0-{name}": value for name, value in item.items()})
    return data


def test_an_item_is_checked_field_by_field(world: World) -> None:
    client = _admin(world)
    page = client.post("/admin/assessment/scheme/add/", _scheme_form(world, indicator="按时办结率"))
    assert page.status_code == 200
    assert "没有这个统计指标：按时办结率" in page.content.decode()
    page = client.post("/admin/assessment/scheme/add/", _scheme_form(world, target="60"))
    assert "目标值不能等于底线值" in page.content.decode()
    page = client.post(
        "/admin/assessment/scheme/add/",
        _scheme_form(world, rule="thresholds", floor="", target="", steps="95=十"),
    )
    assert page.status_code == 200 and "95=十" in page.content.decode()
    assert not Scheme.objects.exists()
    response = client.post("/admin/assessment/scheme/add/", _scheme_form(world))
    assert response.status_code == 302
    scheme = Scheme.objects.get()
    assert [item.indicator for item in scheme.items.all()] == ["按期办结率"]


def test_a_territorial_figure_for_departments_is_warned_about(world: World) -> None:
    client = _admin(world)
    response = client.post(
        "/admin/assessment/scheme/add/",
        _scheme_form(world, indicator="信访总量.件次", rule="per_event", floor="", target="", weight="1"),
        follow=True,
    )
    page = response.content.decode()
    assert "按问题属地统计" in page and "示例市住房和城乡建设局" in page


def test_copy_to_next_year(world: World) -> None:
    client = _admin(world)
    client.post("/admin/assessment/scheme/add/", _scheme_form(world))
    scheme = Scheme.objects.get()
    client.post(
        "/admin/assessment/scheme/", {"action": "copy_to_next_year", "_selected_action": [str(scheme.pk)]}
    )
    copy = Scheme.objects.get(year=2027)
    assert list(copy.units.all()) == [world.city_housing] and copy.items.count() == 1


def test_a_notice_template_is_previewed_on_invented_scores(world: World) -> None:
    client = _admin(world)
    template = ReportTemplate.objects.get(name=NOTICE)
    page = client.get(f"/admin/statistics/reporttemplate/{template.pk}/change/").content.decode()
    assert "城关镇得96.50分，排第1名" in page
    response = client.post(
        "/admin/statistics/reporttemplate/preview/",
        {
            "kind": "notice",
            "title": "{{ 期间 }}通报",
            "body": "{% for 行 in 后列 %}{{ 行.单位 }}{% endfor %}{{ 总数 }}",
        },
    )
    page = response.content.decode()
    assert "2026年第三季度通报" in page and "白沙乡清水镇" in page and "未知的名称：总数" in page
