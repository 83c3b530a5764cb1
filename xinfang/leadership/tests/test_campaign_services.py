"""积案化解 campaigns: every rule of the services, the visibility of the selectors, the reports.

The builders at the top are shared with the page and API tests (imported from here)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from docx import Document
from openpyxl import load_workbook

from xinfang.cases import services as case_services
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.leadership.campaign_reports import render_report
from xinfang.leadership.models.campaigns import Campaign, CampaignItem
from xinfang.leadership.selectors import campaigns as selectors
from xinfang.leadership.services import campaigns as services
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Org, Role, User
from xinfang.testing.world import PASSWORD, World

D = dt.date
Freeze = Callable[[str], dt.datetime]
RECEIVED = D(2025, 2, 26)
DEADLINE = D(2025, 6, 30)
TODAY = D(2025, 3, 12)


# ---------------------------------------------------------------- builders (shared)


def staff(username: str, full_name: str, org: Org, *roles: str) -> User:
    user = org_services.staff_user_create(username=username, full_name=full_name, password=PASSWORD)
    for role in roles:
        org_services.membership_grant(user=user, org=org, role=role)
    return user


def a_campaign(world: World, **overrides: Any) -> Campaign:
    """The city bureau's head opens 中央第三批交办信访积案, received 26 Feb 2025, due 30 June."""
    fields: dict[str, Any] = {
        "actor": world.bureau_head,
        "org": world.city_bureau,
        "name": "中央第三批交办信访积案",
        "source": "central",
        "received_on": RECEIVED,
        "deadline": DEADLINE,
        "target_rate": Decimal(90),
        "denominator": "all",
        "note": "按周、月、季进度计划推进。",
    }
    fields.update(overrides)
    return services.campaign_create(**fields)


def cases(world: World, count: int) -> list[Case]:
    return [register(world, subject=f"积案{index + 1}号：小区住房质量问题") for index in range(count)]


def with_items(
    world: World, campaign: Campaign, plans: list[dt.date], *, unit: Org | None = None, forward: bool = True
) -> list[CampaignItem]:
    """One new case per plan date, forwarded to ``unit`` (the housing bureau) unless ``forward`` is
    False, listed with 陈副市长 as the 包案 leader."""
    unit = unit or world.city_housing
    found = cases(world, len(plans))
    if forward:
        found = [case_services.case_forward(actor=world.registrar, case=case, to_org=unit) for case in found]
    rows = [(case, unit, world.leader, plan) for case, plan in zip(found, plans, strict=True)]
    return services.campaign_add_items(actor=world.bureau_head, campaign=campaign, items=rows)


def progress(actor: User, item: CampaignItem, stage: str, on: dt.date, note: str = "") -> CampaignItem:
    return services.campaign_item_progress(actor=actor, item=item, stage=stage, on=on, note=note)


@pytest.fixture
def today(freeze: Freeze) -> dt.date:
    freeze("2025-03-12 10:00")
    return TODAY


@pytest.fixture
def campaign(world: World, today: dt.date) -> Campaign:
    return a_campaign(world)


# ---------------------------------------------------------------- creating a campaign


def test_an_organiser_creates_a_campaign(world: World, campaign: Campaign) -> None:
    assert (campaign.org, campaign.source, campaign.target_rate) == (
        world.city_bureau,
        "central",
        Decimal(90),
    )
    assert (campaign.received_on, campaign.deadline, campaign.created_by) == (
        RECEIVED,
        DEADLINE,
        world.bureau_head,
    )
    by_registrar = a_campaign(
        world, actor=world.registrar, name="市交办第一批", source="city", target_rate=100
    )
    assert by_registrar.target_rate == Decimal(100)


def test_only_an_organiser_of_a_bureau_or_government_creates(world: World, today: dt.date) -> None:
    with pytest.raises(NotAllowed, match="不是信访部门或党委政府"):
        a_campaign(world, actor=world.handler, org=world.city_housing)
    with pytest.raises(NotAllowed, match="建立积案化解批次"):
        a_campaign(world, actor=world.handler)
    with pytest.raises(NotAllowed):
        a_campaign(world, actor=world.leader, org=world.city_gov)  # a leader, not the office
    office = staff("gov_office", "赵秘书", world.city_gov, Role.HANDLER)
    assert a_campaign(world, actor=office, org=world.city_gov).org == world.city_gov


def test_the_name_is_required_and_unique_in_the_organ(world: World, campaign: Campaign) -> None:
    with pytest.raises(ServiceError, match="请填写批次名称") as empty:
        a_campaign(world, name="  ")
    assert empty.value.field == "name"
    with pytest.raises(ServiceError, match="已有名为") as twice:
        a_campaign(world)
    assert (twice.value.field, twice.value.code) == ("name", "conflict")
    office = staff("gov_office", "赵秘书", world.city_gov, Role.HANDLER)
    assert a_campaign(world, actor=office, org=world.city_gov).name == campaign.name  # another organ


def test_dates_target_source_and_denominator_are_checked(world: World, today: dt.date) -> None:
    bad: list[tuple[dict[str, Any], str]] = [
        ({"deadline": RECEIVED - dt.timedelta(days=1)}, "deadline"),
        ({"received_on": TODAY + dt.timedelta(days=1), "deadline": DEADLINE}, "received_on"),
        ({"received_on": "2025-02-26"}, "received_on"),
        ({"target_rate": -1}, "target_rate"),
        ({"target_rate": Decimal("100.1")}, "target_rate"),
        ({"target_rate": "九十"}, "target_rate"),
        ({"target_rate": Decimal("90.55")}, "target_rate"),
        ({"target_rate": True}, "target_rate"),
        ({"source": "county"}, "source"),
        ({"denominator": "closed"}, "denominator"),
    ]
    for overrides, field in bad:
        with pytest.raises(ServiceError) as refused:
            a_campaign(world, **overrides)
        assert refused.value.field == field, overrides
    assert Campaign.objects.count() == 0
    same_day = a_campaign(world, deadline=RECEIVED, target_rate=0, denominator="due")
    assert (same_day.deadline, same_day.target_rate, same_day.denominator) == (RECEIVED, 0, "due")


# ---------------------------------------------------------------- the list of cases


def test_the_organiser_lists_cases_with_unit_leader_and_plan_date(world: World, campaign: Campaign) -> None:
    first, second = cases(world, 2)
    added = services.campaign_add_items(
        actor=world.bureau_head,
        campaign=campaign,
        items=[
            (first, world.city_housing, world.leader, RECEIVED),
            services.ItemInput(second, world.county_labour, None, DEADLINE),  # the bounds are allowed
        ],
    )
    assert [(i.case, i.unit, i.leader, i.plan_on) for i in added] == [
        (first, world.city_housing, world.leader, RECEIVED),
        (second, world.county_labour, None, DEADLINE),
    ]
    assert [e.kind for e in added[0].events.all()] == ["added"]


def test_adding_items_needs_an_organiser_of_the_campaigns_organ(world: World, campaign: Campaign) -> None:
    case = cases(world, 1)[0]
    for outsider in (world.handler, world.leader, world.other_clerk):
        with pytest.raises(NotAllowed):
            services.campaign_add_items(
                actor=outsider, campaign=campaign, items=[(case, world.city_housing, None, TODAY)]
            )
    with pytest.raises(ServiceError, match="至少列入一件") as empty:
        services.campaign_add_items(actor=world.bureau_head, campaign=campaign, items=[])
    assert empty.value.field == "items"


def test_a_case_the_organiser_cannot_see_or_outside_the_organs_reach_is_refused(
    world: World, today: dt.date
) -> None:
    clerk = staff("county_clerk", "赵县信访", world.county_bureau, Role.REGISTRAR, Role.BUREAU_HEAD)
    county = a_campaign(world, actor=clerk, org=world.county_bureau)
    unseen = register(world, problem_region=world.other_county)  # the city bureau's, about 河口县
    with pytest.raises(NotAllowed, match="无权查看") as hidden:
        services.campaign_add_items(
            actor=clerk, campaign=county, items=[(unseen, world.county_labour, None, TODAY)]
        )
    assert hidden.value.field == "items[0].case"
    # the clerk also works at 河口县's labour bureau, which handles it: seen, but not the county's
    org_services.membership_grant(user=clerk, org=world.other_county_labour, role=Role.HANDLER)
    elsewhere = case_services.case_forward(
        actor=world.registrar, case=unseen, to_org=world.other_county_labour
    )
    with pytest.raises(ServiceError, match="不在青山县信访局的辖区内") as far:
        services.campaign_add_items(
            actor=clerk, campaign=county, items=[(elsewhere, world.county_labour, None, TODAY)]
        )
    assert far.value.field == "items[0].case"


def test_a_case_once_per_campaign_and_all_or_nothing(world: World, campaign: Campaign) -> None:
    first, second = cases(world, 2)
    with pytest.raises(ServiceError, match="重复列出") as repeated:
        services.campaign_add_items(
            actor=world.bureau_head,
            campaign=campaign,
            items=[(first, world.city_housing, None, TODAY), (first, world.city_housing, None, TODAY)],
        )
    assert repeated.value.field == "items[1].case"
    services.campaign_add_items(
        actor=world.bureau_head, campaign=campaign, items=[(first, world.city_housing, None, TODAY)]
    )
    with pytest.raises(ServiceError, match="已在本批积案中") as listed:
        services.campaign_add_items(
            actor=world.bureau_head,
            campaign=campaign,
            items=[(second, world.city_housing, None, TODAY), (first, world.city_housing, None, TODAY)],
        )
    assert (listed.value.field, listed.value.code) == ("items[1].case", "conflict")
    assert list(campaign.items.values_list("case", flat=True)) == [first.pk]  # second not added
    other = a_campaign(world, name="省交办第二批", source="province")
    services.campaign_add_items(
        actor=world.bureau_head, campaign=other, items=[(first, world.city_housing, None, TODAY)]
    )  # another campaign may list it


def test_the_unit_must_be_active_and_within_reach(world: World, campaign: Campaign) -> None:
    case = cases(world, 1)[0]
    org_services.org_update(org=world.county_labour, is_active=False)
    world.county_labour.refresh_from_db()
    for unit, message in ((world.county_labour, "已停用"), (world.province_gov, "不在示例市信访局的辖区内")):
        with pytest.raises(ServiceError, match=message) as refused:
            services.campaign_add_items(
                actor=world.bureau_head, campaign=campaign, items=[(case, unit, None, TODAY)]
            )
        assert refused.value.field == "items[0].unit"


def test_the_leader_must_be_a_leader_within_reach(world: World, campaign: Campaign) -> None:
    case = cases(world, 1)[0]
    governor = staff("governor", "孙副省长", world.province_gov, Role.LEADER)
    county_leader = staff("county_leader", "吴副县长", world.county_gov, Role.LEADER)
    for leader in (world.handler, governor, world.citizen):
        with pytest.raises(ServiceError, match="不能作为包案领导") as refused:
            services.campaign_add_items(
                actor=world.bureau_head, campaign=campaign, items=[(case, world.city_housing, leader, TODAY)]
            )
        assert refused.value.field == "items[0].leader"
    item = services.campaign_add_items(
        actor=world.bureau_head, campaign=campaign, items=[(case, world.county_labour, county_leader, TODAY)]
    )[0]
    assert item.leader == county_leader  # a county's leader is within the city's reach


def test_the_plan_date_lies_between_receipt_and_deadline(world: World, campaign: Campaign) -> None:
    case = cases(world, 1)[0]
    for plan in (RECEIVED - dt.timedelta(days=1), DEADLINE + dt.timedelta(days=1), None):
        with pytest.raises(ServiceError) as refused:
            services.campaign_add_items(
                actor=world.bureau_head, campaign=campaign, items=[(case, world.city_housing, None, plan)]
            )
        assert refused.value.field == "items[0].plan_on"


def test_the_organiser_changes_an_item(world: World, campaign: Campaign) -> None:
    item = with_items(world, campaign, [TODAY])[0]
    with pytest.raises(NotAllowed):
        services.campaign_item_update(
            actor=world.handler, item=item, unit=world.city_housing, leader=None, plan_on=TODAY
        )
    with pytest.raises(ServiceError) as late:
        services.campaign_item_update(
            actor=world.bureau_head,
            item=item,
            unit=world.city_housing,
            leader=None,
            plan_on=DEADLINE + dt.timedelta(days=1),
        )
    assert late.value.field == "plan_on"
    with pytest.raises(ServiceError) as gone:
        services.campaign_item_update(
            actor=world.bureau_head, item=item, unit=world.province_gov, leader=None, plan_on=TODAY
        )
    assert gone.value.field == "unit"
    changed = services.campaign_item_update(
        actor=world.bureau_head,
        item=item,
        unit=world.county_labour,
        leader=None,
        plan_on=D(2025, 4, 30),
        note="已约谈信访人。",
    )
    assert (changed.unit, changed.leader, changed.plan_on, changed.note) == (
        world.county_labour,
        None,
        D(2025, 4, 30),
        "已约谈信访人。",
    )
    event = changed.events.get(kind="updated")
    assert "责任单位：示例市住房和城乡建设局 → 青山县人力资源和社会保障局" in event.note
    assert "包案领导：陈副市长 → 无" in event.note


# ---------------------------------------------------------------- milestones


def test_unit_records_submitted_and_applied_the_organiser_confirms_resolved(
    world: World, campaign: Campaign
) -> None:
    item = with_items(world, campaign, [TODAY])[0]
    progress(world.handler, item, "submitted", D(2025, 3, 5), note="已办结，出具处理意见书。")
    progress(world.approver, item, "applied", D(2025, 3, 5))
    with pytest.raises(NotAllowed, match="确认实体化解"):
        progress(world.handler, item, "resolved", TODAY)
    done = progress(world.bureau_head, item, "resolved", TODAY)
    assert (done.submitted_on, done.applied_on, done.resolved_on) == (D(2025, 3, 5), D(2025, 3, 5), TODAY)
    assert done.note == "已办结，出具处理意见书。"
    events = list(done.events.order_by("pk").values_list("kind", "org__name", "actor__username"))
    assert events[1:] == [
        ("submitted", "示例市住房和城乡建设局", "handler"),
        ("applied", "示例市住房和城乡建设局", "approver"),
        ("resolved", "示例市信访局", "bureau_head"),
    ]


def test_only_the_unit_or_the_organiser_records_progress(world: World, campaign: Campaign) -> None:
    item, other = with_items(world, campaign, [TODAY, TODAY])
    for outsider in (world.other_clerk, world.leader):
        with pytest.raises(NotAllowed, match="可以记录办结提交"):
            progress(outsider, item, "submitted", TODAY)
    assert progress(world.registrar, other, "submitted", TODAY).submitted_on == TODAY  # the organiser


def test_milestones_come_in_order_and_once(world: World, campaign: Campaign) -> None:
    item = with_items(world, campaign, [TODAY])[0]
    with pytest.raises(InvalidState, match="请先记录办结提交"):
        progress(world.handler, item, "applied", TODAY)
    with pytest.raises(InvalidState, match="请先记录办结提交"):
        progress(world.bureau_head, item, "resolved", TODAY)
    progress(world.handler, item, "submitted", TODAY)
    with pytest.raises(InvalidState, match="已于 2025-03-12 记录办结提交"):
        progress(world.handler, item, "submitted", TODAY)
    with pytest.raises(ServiceError, match="进展阶段") as bad:
        progress(world.handler, item, "closed", TODAY)
    assert bad.value.field == "stage"


def test_milestone_dates_are_not_in_the_future_nor_before_receipt_nor_before_the_last(
    world: World, campaign: Campaign
) -> None:
    item = with_items(world, campaign, [TODAY])[0]
    for day, message in (
        (TODAY + dt.timedelta(days=1), "不能晚于今天"),
        (RECEIVED - dt.timedelta(days=1), "不能早于本批积案的交办日期"),
    ):
        with pytest.raises(ServiceError, match=message) as refused:
            progress(world.handler, item, "submitted", day)
        assert refused.value.field == "on"
    progress(world.handler, item, "submitted", D(2025, 3, 10))
    with pytest.raises(ServiceError, match="不能早于办结提交日期 2025-03-10") as earlier:
        progress(world.handler, item, "applied", D(2025, 3, 9))
    assert earlier.value.field == "on"
    assert progress(world.handler, item, "applied", D(2025, 3, 10)).applied_on == D(2025, 3, 10)


def test_the_organiser_undoes_the_latest_milestone_with_a_reason(world: World, campaign: Campaign) -> None:
    item = with_items(world, campaign, [TODAY])[0]
    with pytest.raises(InvalidState, match="无可撤销"):
        services.campaign_item_undo(actor=world.bureau_head, item=item, reason="误录。")
    progress(world.handler, item, "submitted", D(2025, 3, 10))
    progress(world.handler, item, "applied", D(2025, 3, 11))
    with pytest.raises(NotAllowed):
        services.campaign_item_undo(actor=world.handler, item=item, reason="误录。")
    with pytest.raises(ServiceError, match="请填写撤销理由") as empty:
        services.campaign_item_undo(actor=world.bureau_head, item=item, reason=" ")
    assert empty.value.field == "reason"
    undone = services.campaign_item_undo(
        actor=world.bureau_head, item=item, reason="信访人仍不认可，化解未到位。"
    )
    assert (undone.submitted_on, undone.applied_on) == (D(2025, 3, 10), None)
    event = undone.events.get(kind="undone")
    assert (event.stage, event.on, event.note) == ("applied", D(2025, 3, 11), "信访人仍不认可，化解未到位。")
    assert progress(world.handler, undone, "applied", TODAY).applied_on == TODAY


def test_the_database_keeps_the_order_of_the_milestones(world: World, campaign: Campaign) -> None:
    item = with_items(world, campaign, [TODAY])[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignItem.objects.filter(pk=item.pk).update(applied_on=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignItem.objects.filter(pk=item.pk).update(submitted_on=TODAY, resolved_on=TODAY)


# ---------------------------------------------------------------- who sees what


def test_the_organ_and_those_above_see_every_item_a_unit_only_its_own(
    world: World, campaign: Campaign
) -> None:
    housing = with_items(world, campaign, [TODAY])[0]  # forwarded there: the handler sees the case
    labour = with_items(world, campaign, [TODAY], unit=world.county_labour)[0]
    unseen = with_items(world, campaign, [TODAY], forward=False)[0]  # the housing bureau's, unseen there
    labour_clerk = staff("labour_clerk", "钱社保", world.county_labour, Role.HANDLER)
    city_clerk = staff("gov_clerk", "秘书", world.city_gov, Role.HANDLER)
    county_clerk = staff("county_clerk", "县信访", world.county_bureau, Role.HANDLER)

    def items_of(user: User) -> set[int]:
        return {i.pk for i in selectors.campaign_items(user, campaign)}

    assert items_of(world.bureau_head) == items_of(city_clerk) == {housing.pk, labour.pk, unseen.pk}
    assert items_of(world.handler) == {housing.pk}
    assert items_of(labour_clerk) == {labour.pk}
    for user in (world.bureau_head, city_clerk, world.handler, labour_clerk):
        assert selectors.campaign_detail(user, campaign.pk) == campaign
    for user in (world.other_clerk, county_clerk, world.citizen):
        assert selectors.campaign_detail(user, campaign.pk) is None
        assert items_of(user) == set()
    assert selectors.item_detail(world.handler, unseen.pk) is None
    # a county leader who answers for one item sees that item only
    county_leader = staff("county_leader", "吴副县长", world.county_gov, Role.LEADER)
    services.campaign_item_update(
        actor=world.bureau_head, item=labour, unit=world.county_labour, leader=county_leader, plan_on=TODAY
    )
    assert selectors.campaign_detail(county_leader, campaign.pk) == campaign
    assert items_of(county_leader) == {labour.pk}
    assert selectors.item_detail(world.handler, housing.pk) == housing
    assert selectors.item_detail(world.other_clerk, housing.pk) is None
    with pytest.raises(NotAllowed, match="无权查看"):
        progress(world.handler, unseen, "submitted", TODAY)  # its unit, but not a case it sees


# ---------------------------------------------------------------- the reports


def _five(world: World, campaign: Campaign) -> list[CampaignItem]:
    """Five items: one resolved, one applied, one submitted, two not submitted (one overdue)."""
    items = with_items(
        world, campaign, [D(2025, 3, 5), D(2025, 3, 31), D(2025, 4, 15), D(2025, 3, 10), D(2025, 5, 31)]
    )
    progress(world.handler, items[0], "submitted", D(2025, 3, 3))
    progress(world.handler, items[0], "applied", D(2025, 3, 4))
    progress(world.bureau_head, items[0], "resolved", D(2025, 3, 11))
    progress(world.handler, items[1], "submitted", D(2025, 3, 10))
    progress(world.handler, items[1], "applied", D(2025, 3, 12))
    progress(world.handler, items[2], "submitted", D(2025, 3, 12))
    return items


def test_the_docx_report_in_the_reports_phrasing(world: World, campaign: Campaign) -> None:
    items = _five(world, campaign)
    shown = list(selectors.campaign_items(world.bureau_head, campaign))
    name, body, mime = render_report(campaign, shown, period="week", fmt="docx", as_of=TODAY)
    assert name == "中央第三批交办信访积案进展情况通报-第3周-20250312.docx"
    assert mime.endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(body))
    text = "\n".join(p.text for p in doc.paragraphs)
    # too wide for one line of 二号: it breaks after the batch's name
    assert "中央第三批交办信访积案\n化解工作进展情况通报（第3周）" in text
    assert doc.core_properties.title == "中央第三批交办信访积案化解工作进展情况通报（第3周）"
    assert (
        "中央第三批交办我市共5件信访积案，已办结提交3件，办结提交率60.0％，已申请化解2件，"
        "已实体化解1件，化解率20.0％（目标90％）。"
    ) in text
    assert "制定了周、月、季化解工作进度计划，定期通报进度，实行挂图作战、对账销号" in text
    assert "本周（第3周，3月10日至3月12日）新增办结提交2件、申请化解1件、实体化解1件。" in text
    assert "尚需实体化解4件" in text
    assert "示例市信访局" in text and "2025年3月12日" in text
    tables = [[[c.text for c in row.cells] for row in table.rows] for table in doc.tables]
    units, leaders, overdue = tables
    assert units[0][:4] == ["责任单位", "事项", "办结提交", "提交率"]
    assert units[1] == ["示例市住房和城乡建设局", "5", "3", "60.0%", "2", "1", "20.0%", "1"]
    assert units[-1][0] == "合计"
    assert leaders[1][:2] == ["陈副市长", "5"]
    assert overdue[1][1:6] == [
        items[3].case.number,
        items[3].case.subject,
        "示例市住房和城乡建设局",
        "2025-03-10",
        "2天",
    ]
    month = Document(io.BytesIO(render_report(campaign, shown, period="month", fmt="docx", as_of=TODAY)[1]))
    assert "（3月）" in "\n".join(p.text for p in month.paragraphs)
    short = a_campaign(world, name="第三批", received_on=RECEIVED)
    title = Document(
        io.BytesIO(render_report(short, [], period="week", fmt="docx", as_of=TODAY)[1])
    ).paragraphs[1]
    assert title.text == "第三批积案化解工作进展情况通报（第3周）"  # 20 characters: one line


def test_the_xlsx_report_has_five_sheets_with_dates_as_dates(world: World, campaign: Campaign) -> None:
    items = _five(world, campaign)
    shown = list(selectors.campaign_items(world.bureau_head, campaign))
    name, body, _ = render_report(campaign, shown, period="month", fmt="xlsx", as_of=TODAY)
    assert name.endswith("-3月-20250312.xlsx")
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["总体", "按责任单位", "按包案领导", "逾期事项", "全部事项"]
    overview = {row[0]: row[1] for row in book["总体"].iter_rows(min_row=2, values_only=True)}
    assert overview["事项总数"] == 5 and overview["已实体化解"] == 1
    assert overview["化解率"] == pytest.approx(0.2)
    assert overview["交办日期"] == dt.datetime(2025, 2, 26)
    units = list(book["按责任单位"].iter_rows(values_only=True))
    assert units[0][:5] == ("责任单位", "事项数", "计入分母", "办结提交", "办结提交率")
    assert units[1][:5] == ("示例市住房和城乡建设局", 5, 5, 3, pytest.approx(0.6))
    assert book["按责任单位"].cell(row=2, column=5).number_format == "0.0%"
    assert book["按责任单位"].column_dimensions["A"].width == 28
    overdue = list(book["逾期事项"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[4], row[5]) for row in overdue] == [
        (items[3].case.number, dt.datetime(2025, 3, 10), 2)
    ]
    every = list(book["全部事项"].iter_rows(min_row=2, values_only=True))
    assert len(every) == 5 and every[0][7] == dt.datetime(2025, 3, 11)
    assert book["全部事项"].cell(row=2, column=5).number_format == "yyyy-mm-dd"


def test_a_report_as_of_an_earlier_day_shows_the_campaign_as_it_stood(
    world: World, campaign: Campaign
) -> None:
    _five(world, campaign)
    shown = list(selectors.campaign_items(world.bureau_head, campaign))
    body = render_report(campaign, shown, period="week", fmt="docx", as_of=D(2025, 3, 9))[1]
    text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
    assert "（第2周）" in text and "已办结提交1件，办结提交率20.0％" in text


def test_bad_periods_and_formats_are_refused(world: World, campaign: Campaign) -> None:
    with pytest.raises(ServiceError) as period:
        render_report(campaign, [], period="quarter", fmt="docx", as_of=TODAY)
    assert period.value.field == "period"
    with pytest.raises(ServiceError) as fmt:
        render_report(campaign, [], period="week", fmt="pdf", as_of=TODAY)
    assert fmt.value.field == "format"
    empty = render_report(campaign, [], period="week", fmt="docx", as_of=TODAY)[1]
    text = "\n".join(p.text for p in Document(io.BytesIO(empty)).paragraphs)
    assert "共0件信访积案" in text and "办结提交率—" in text and "没有超过计划完成日期" in text
