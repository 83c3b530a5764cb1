"""The shipped bulletin template (信访简报（标准）) and its back-office preview on the samples."""

from __future__ import annotations

from django.test import Client

from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant
from xinfang.statistics.models import ReportTemplate
from xinfang.statistics.render import render_text, samples_for, unknown_names
from xinfang.testing.world import World

STANDARD = "信访简报（标准）"


def test_the_standard_template_is_installed_as_a_bulletin_template(db: None) -> None:
    template = ReportTemplate.objects.get(name=STANDARD)
    assert template.kind == ReportTemplate.Kind.BULLETIN and template.is_active
    assert template.title == "{{ 期间 }}信访工作情况"


def test_it_renders_on_every_sample_without_an_unknown_name(db: None) -> None:
    template = ReportTemplate.objects.get(name=STANDARD)
    (label, full), (_, empty) = samples_for(ReportTemplate.Kind.BULLETIN)
    assert label == "示例简报"
    text = render_text(template.body, full)
    assert unknown_names(text) == []
    assert text.splitlines()[0] == "一、本期信访情况"
    assert (
        "（一）东城区幸福里小区加装电梯费用分摊争议。涉及东城区幸福里小区，本期共14件，3月5日首次预警。"
        in text
    )
    assert "（二）示例县12名群众反映征地补偿款未足额发放（信访件编号9901212025041500000456）。" in text
    quiet = render_text(template.body, empty)
    assert "本期未发出类案预警。" in quiet and "本期未选编典型案例。" in quiet
    assert "" not in quiet.splitlines()  # no blank lines left by the tags


def test_the_back_office_previews_a_bulletin_template_on_the_bulletin_samples(world: World) -> None:
    membership_grant(user=world.bureau_head, org=world.city_bureau, role=Role.ADMIN)
    client = Client()
    client.force_login(world.bureau_head)
    template = ReportTemplate.objects.get(name=STANDARD)
    page = client.get(f"/admin/statistics/reporttemplate/{template.pk}/change/").content.decode()
    assert "东城区幸福里小区加装电梯费用分摊争议" in page
    preview = client.post(
        "/admin/statistics/reporttemplate/preview/",
        {
            "kind": "bulletin",
            "title": "{{ 编发单位 }}{{ 期号 }}",
            "body": "{% for h in 热点 %}{{ h.问题 }}{% endfor %}",
        },
    ).content.decode()
    assert "示例市信访局第3期" in preview and "示例县某建设项目拖欠农民工工资" in preview
