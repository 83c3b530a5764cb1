"""Bulletins: written from the template, 典型案例 and 动态 items, numbering at 签发, immutability,
masked names and the refusals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from xinfang.bulletins import services
from xinfang.bulletins.context import PENDING_NUMBER, case_progress, chinese_numeral
from xinfang.bulletins.drafting import draft_from_alert, draft_from_case
from xinfang.bulletins.models import Bulletin, Kind, Status
from xinfang.bulletins.services import COUNTER_SERIES
from xinfang.bulletins.tests.helpers import FEBRUARY, alert, brief, dynamics, issue, review
from xinfang.cases.documents.numbers import SERIES_BY_EVENT
from xinfang.cases.models import DocumentCounter
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import register, to_accepted, to_delivered
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant
from xinfang.statistics.models import ReportTemplate
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]


@pytest.fixture
def february(world: World, freeze: Freeze) -> World:
    """Two cases registered in February 2026; it is now 10 March."""
    freeze("2026-02-10 10:00")
    register(world)
    register(world, subject="老旧小区加装电梯费用分摊", channel="letter")
    freeze("2026-03-10 10:00")
    return world


def _person(name: str) -> list[PetitionerInput]:
    return [PetitionerInput(name=name, id_number="", phone="13900139000", address="青山县城关镇幸福路2号")]


# ---------------------------------------------------------------- writing from the template


def test_a_brief_is_written_from_the_standard_template_on_the_periods_figures(february: World) -> None:
    bulletin = brief(february)
    assert bulletin.status == Status.DRAFT and bulletin.number is None
    assert bulletin.template_name == "信访简报（标准）"
    assert bulletin.title == "2026年2月信访工作情况"
    lines = bulletin.body.splitlines()
    assert lines[0] == "一、本期信访情况"
    assert "2026年2月，示例市信访局共登记群众信访事项2件次2人次" in lines[1]
    assert "其中来信1件次" in lines[1] and "来访1批1人次" in lines[1]
    assert "二、热点问题" in lines and "本期未发出类案预警。" in lines
    assert "三、典型案例" in lines and "本期未选编典型案例。" in lines
    assert "【未知" not in bulletin.body


def test_a_bureaus_own_template_is_used_and_may_name_the_bulletins_own_words(february: World) -> None:
    ReportTemplate.objects.create(
        name="简报（县局）",
        kind=ReportTemplate.Kind.BULLETIN,
        title="{{ 编发单位 }}{{ 期间 }}简报",
        body="{{ 年度 }}年{{ 期号 }}：来信{{ 来信.件次 }}件。",
    )
    bulletin = brief(february, template_name="简报（县局）")
    assert bulletin.title == "示例市信访局2026年2月简报"
    assert bulletin.body == f"2026年{PENDING_NUMBER}：来信1件。"
    issued = issue(february, bulletin)
    assert issued.body == "2026年第1期：来信1件。"  # the number is written in when it is given


def test_the_hot_issues_are_the_periods_alerts_with_their_reviews(february: World, freeze: Freeze) -> None:
    freeze("2026-02-20 10:00")
    cases = [register(february, subject="幸福里小区加装电梯费用分摊争议") for _ in range(3)]
    hot = alert(cases, title="幸福里小区加装电梯费用分摊争议", place="青山县幸福里小区")
    review(february, hot, "已报分管领导，由县住建局牵头协调")
    freeze("2026-01-15 10:00")
    old = [register(february, subject="一月的旧类案") for _ in range(3)]
    alert(old, title="一月的旧类案")
    freeze("2026-03-10 10:00")
    body = brief(february).body
    assert (
        "（一）幸福里小区加装电梯费用分摊争议。涉及青山县幸福里小区，本期共3件，2月20日首次预警。"
        "研判意见：已报分管领导，由县住建局牵头协调。"
    ) in body
    assert "一月的旧类案" not in body and "本期未发出类案预警" not in body


def test_a_hot_issue_is_counted_with_the_writers_visible_cases_only(world: World, freeze: Freeze) -> None:
    freeze("2026-02-20 10:00")
    ours = [register(world, subject="工资拖欠") for _ in range(3)]
    outside = register(
        world,
        actor=world.other_clerk,
        org=world.other_county_labour,
        problem_region=world.other_county,
        subject="工资拖欠",
    )
    alert([*ours, outside], title="工资拖欠")
    freeze("2026-03-10 10:00")
    # The county department's writer sees one of the four cases only.
    membership_grant(user=world.other_clerk, org=world.other_county_labour, role=Role.STATS_VIEWER)
    theirs = brief(world, actor=world.other_clerk, org=world.other_county_labour)
    assert "本期共1件" in theirs.body
    assert "本期共4件" in brief(world).body  # the city bureau sees its region's and the county's


def test_a_notable_case_is_chosen_by_number_and_the_text_follows_it(february: World) -> None:
    case = register(february, subject="张三反映小区住房质量问题", petitioners=_person("张三"))
    bulletin = brief(february)
    services.bulletin_add_case(
        actor=february.registrar, bulletin=bulletin, case_number=f" {case.number} ", note="张三已表示满意"
    )
    bulletin.refresh_from_db()
    assert (
        f"（一）青山县群众张*反映小区住房质量问题（信访件编号{case.number}）。"
        "办理情况：示例市信访局正在办理（待交转）。张*已表示满意。"
    ) in bulletin.body
    assert "张三" not in bulletin.body and "本期未选编典型案例" not in bulletin.body
    assert bulletin.notable.get().note == "张*已表示满意"
    services.bulletin_remove_case(actor=february.registrar, bulletin=bulletin, case_id=case.pk)
    bulletin.refresh_from_db()
    assert "本期未选编典型案例。" in bulletin.body


def test_a_hand_edited_text_stays_when_cases_change_until_written_again(february: World) -> None:
    case = register(february)
    bulletin = brief(february)
    services.bulletin_update(
        actor=february.registrar, bulletin=bulletin, title="二月简报", body="一、概况\n本月平稳。"
    )
    services.bulletin_add_case(actor=february.registrar, bulletin=bulletin, case_number=case.number)
    bulletin.refresh_from_db()
    assert bulletin.body == "一、概况\n本月平稳。" and bulletin.body_edited
    services.bulletin_regenerate(actor=february.registrar, bulletin=bulletin)
    bulletin.refresh_from_db()
    assert case.number in bulletin.body and not bulletin.body_edited and bulletin.title == "二月简报"


def test_names_typed_into_the_text_are_masked(february: World) -> None:
    case = register(february, petitioners=_person("欧阳明"))
    bulletin = brief(february)
    services.bulletin_add_case(actor=february.registrar, bulletin=bulletin, case_number=case.number)
    updated = services.bulletin_update(
        actor=february.registrar,
        bulletin=bulletin,
        title="关于欧阳明反映问题的情况",
        body="信访人欧阳明（身份证号11010519491231002X，电话13800138000）反映住房问题。",
    )
    assert updated.title == "关于欧**反映问题的情况"
    assert updated.body == "信访人欧**（身份证号110105********002X，电话138****8000）反映住房问题。"


# ---------------------------------------------------------------- refusals


def test_bad_input_is_refused_with_the_field_and_a_chinese_message(february: World) -> None:
    w = february
    cases: list[tuple[dict[str, object], str, str]] = [
        ({"kind": "weekly"}, "kind", "请选择简报类别"),
        ({"period_end": dt.date(2026, 1, 31)}, "period_end", "截止日期早于起始日期"),
        ({"period_start": None}, "period_start", "请填写起始日期"),
        (
            {"period_start": dt.date(2026, 4, 1), "period_end": dt.date(2026, 4, 30)},
            "period_start",
            "晚于今天",
        ),
        ({"period_start": dt.date(2025, 1, 1)}, "period_end", "不能超过一年"),
        ({"template_name": "没有的模板"}, "template", "没有名为“没有的模板”的启用的简报模板"),
        ({"title": "长" * 201}, "title", "标题不能超过 200 个字"),
        (
            {"actor": w.handler},
            "org",
            "只有示例市信访局的登记员或承办人或审核人或信访部门负责人或统计员可以编写信访简报",
        ),
    ]
    for overrides, field, message in cases:
        with pytest.raises(ServiceError) as caught:
            brief(w, **overrides)
        assert caught.value.field == field and message in caught.value.message, (overrides, caught.value)
    assert not Bulletin.objects.exists()


def test_a_report_template_is_not_a_bulletin_template_and_a_broken_one_says_its_line(
    february: World,
) -> None:
    with pytest.raises(ServiceError, match="没有名为“县级信访工作总结”的启用的简报模板"):
        brief(february, template_name="县级信访工作总结")
    ReportTemplate.objects.create(
        name="坏简报模板", kind=ReportTemplate.Kind.BULLETIN, title="x", body="第一行\n{% if %}"
    )
    with pytest.raises(ServiceError) as caught:
        brief(february, template_name="坏简报模板")
    assert caught.value.field == "template" and "模板第2行有误" in caught.value.message


def test_a_notable_case_must_be_visible_and_not_an_accusation(february: World) -> None:
    w = february
    bulletin = brief(w)
    elsewhere = register(w, actor=w.other_clerk, org=w.other_county_labour, problem_region=w.other_county)
    accusation = register(w, nature="accusation", accused_org=w.county_labour, subject="检举某局干部")
    refusals = [
        ("", "请填写信访件编号"),
        ("000", "信访件 000 不存在，或您无权查看"),
        (accusation.number, "检举控告类信访事项不编入信访简报和信访动态"),
    ]
    for number, message in refusals:
        with pytest.raises(ServiceError, match=message) as caught:
            services.bulletin_add_case(actor=w.registrar, bulletin=bulletin, case_number=number)
        assert caught.value.field == "case_number"
    # the county department's clerk cannot pick a city case it does not see
    membership_grant(user=w.other_clerk, org=w.other_county_labour, role=Role.STATS_VIEWER)
    theirs = brief(w, actor=w.other_clerk, org=w.other_county_labour)
    city_case = register(w)
    with pytest.raises(ServiceError, match="不存在，或您无权查看"):
        services.bulletin_add_case(actor=w.other_clerk, bulletin=theirs, case_number=city_case.number)
    services.bulletin_add_case(actor=w.other_clerk, bulletin=theirs, case_number=elsewhere.number)
    with pytest.raises(ServiceError, match="已是本期的典型案例"):
        services.bulletin_add_case(actor=w.other_clerk, bulletin=theirs, case_number=elsewhere.number)


# ---------------------------------------------------------------- numbering at 签发


def test_numbers_run_per_organ_kind_and_year_and_are_given_at_issue(february: World, freeze: Freeze) -> None:
    w = february
    first, second = brief(w), brief(w)
    assert issue(w, second).number == 1  # in the order they are issued, not written
    issued = issue(w, first)
    assert issued.issue_label == "2026年第2期" and issued.issued_by == w.bureau_head
    item = services.item_create(actor=w.registrar, org=w.city_bureau, title="动态", body="内容")
    news = dynamics(w)
    services.item_collect(actor=w.registrar, bulletin=news, item_ids=[item.pk])
    assert issue(w, news).number == 1  # 信访动态 has its own series
    county_head = _county_head(w)
    county = brief(w, actor=county_head, org=w.county_bureau)
    assert services.bulletin_issue(actor=county_head, bulletin=county).number == 1  # and each organ
    freeze("2027-01-05 09:00")
    late = brief(w)  # written for February 2026, issued in 2027: the new year's first
    issued = issue(w, late)
    assert (issued.year, issued.number) == (2027, 1)
    counters = {(c.series, c.year): c.last for c in DocumentCounter.objects.filter(org=w.city_bureau)}
    assert counters == {("brief", 2026): 2, ("dynamics", 2026): 1, ("brief", 2027): 1}


def test_the_bulletin_series_share_the_organs_counters_without_taking_a_document_series() -> None:
    assert set(COUNTER_SERIES) == set(Kind)
    assert not set(COUNTER_SERIES.values()) & {s.code for s in SERIES_BY_EVENT.values()}


def _county_head(w: World) -> object:
    from xinfang.orgs.services import staff_user_create

    head = staff_user_create(username="qs_head", full_name="县局长", password="Persona-Pass-2026")
    membership_grant(user=head, org=w.county_bureau, role=Role.BUREAU_HEAD)
    return head


def test_an_abandoned_draft_leaves_no_gap(february: World) -> None:
    w = february
    services.bulletin_delete(actor=w.registrar, bulletin=brief(w))
    assert issue(w, brief(w)).number == 1


def test_only_the_head_or_a_leader_of_the_organ_issues(february: World) -> None:
    w = february
    bulletin = brief(w)
    for outsider in (w.registrar, w.leader):  # the leader works at the government, not the bureau
        with pytest.raises(NotAllowed, match="只有示例市信访局的信访部门负责人或领导可以签发信访简报"):
            services.bulletin_issue(actor=outsider, bulletin=bulletin)
    membership_grant(user=w.leader, org=w.city_bureau, role=Role.LEADER)
    assert services.bulletin_issue(actor=w.leader, bulletin=bulletin).status == Status.ISSUED


def test_an_issued_bulletin_is_never_changed_or_deleted(february: World) -> None:
    w = february
    case = register(w)
    bulletin = issue(w, brief(w))
    attempts = [
        lambda: services.bulletin_update(actor=w.registrar, bulletin=bulletin, title="改", body="改"),
        lambda: services.bulletin_regenerate(actor=w.registrar, bulletin=bulletin),
        lambda: services.bulletin_add_case(actor=w.registrar, bulletin=bulletin, case_number=case.number),
        lambda: services.bulletin_remove_case(actor=w.registrar, bulletin=bulletin, case_id=case.pk),
        lambda: services.bulletin_delete(actor=w.registrar, bulletin=bulletin),
        lambda: services.bulletin_issue(actor=w.bureau_head, bulletin=bulletin),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidState, match="《信访简报》2026年第1期已签发，不能再修改或删除"):
            attempt()
    stale = Bulletin.objects.get(pk=bulletin.pk)
    stale.status = Status.DRAFT  # a page opened before it was issued: the lock reads the row again
    with pytest.raises(InvalidState):
        services.bulletin_update(actor=w.registrar, bulletin=stale, title="改", body="改")
    assert Bulletin.objects.get(pk=bulletin.pk).number == 1


def test_an_empty_issue_is_not_issued(february: World) -> None:
    w = february
    with pytest.raises(ServiceError, match="还没有编入动态条目") as caught:
        issue(w, dynamics(w))
    assert caught.value.field == "items"
    with pytest.raises(ServiceError, match="请填写简报正文") as caught:
        services.bulletin_update(actor=w.registrar, bulletin=brief(w), title="二月", body="  ")
    assert caught.value.field == "body"


# ---------------------------------------------------------------- 动态 items


def test_an_item_promoted_from_a_case_is_prefilled_and_masked(february: World) -> None:
    w = february
    case = register(
        w,
        subject="李四反映工资拖欠",
        content="我叫李四，手机13800138000，在青山县某工地务工，工资被拖欠三个月。",
        petitioners=_person("李四"),
    )
    draft = draft_from_case(w.registrar, case.pk)
    assert draft.title == "李*反映工资拖欠" and draft.source_case == case
    assert "2月10日" not in draft.body and f"（信访件编号{case.number}）" in draft.body
    assert "我叫李*，手机138****8000" in draft.body and "李四" not in draft.body
    assert draft.body.endswith("目前该事项示例市信访局正在办理（待交转）。")
    item = services.item_create(
        actor=w.registrar,
        org=w.city_bureau,
        title=draft.title,
        body="李四的问题已交办。",
        source_case_id=case.pk,
    )
    assert item.body == "李*的问题已交办。" and item.source_case == case and item.bulletin is None


def test_an_item_promoted_from_an_alert_is_prefilled(february: World, freeze: Freeze) -> None:
    w = february
    freeze("2026-03-02 10:00")
    cases = [register(w, subject="幸福里小区停车难") for _ in range(3)]
    hot = alert(cases, title="幸福里小区停车难", place="青山县幸福里小区")
    review(w, hot, "已转县住建局研究")
    draft = draft_from_alert(w.registrar, hot.pk)
    assert draft.title == "幸福里小区停车难" and draft.source_alert == hot
    assert draft.body == (
        "2026年3月2日起，青山县幸福里小区相继出现同类信访事项3件：幸福里小区停车难（新出现的类案：30 日内 3 件）。"
        "示例市信访局研判意见：已转县住建局研究。"
    )
    with pytest.raises(ServiceError, match=f"类案预警 {hot.pk} 不存在，或您无权查看") as caught:
        draft_from_alert(w.other_clerk, hot.pk)
    assert caught.value.field == "alert"
    with pytest.raises(ServiceError, match="不存在，或您无权查看"):
        services.item_create(
            actor=w.registrar, org=w.city_bureau, title="x", body="y", source_alert_id=hot.pk + 999
        )


def test_items_are_collected_into_a_draft_dynamics_issue_once(february: World) -> None:
    w = february
    one = services.item_create(actor=w.registrar, org=w.city_bureau, title="一", body="第一条")
    two = services.item_create(actor=w.registrar, org=w.city_bureau, title="二", body="第二条")
    news = dynamics(w)
    assert news.title == "2026年2月信访动态" and news.body == "" and news.template_name == ""
    services.item_collect(actor=w.registrar, bulletin=news, item_ids=[two.pk])
    services.item_collect(actor=w.registrar, bulletin=news, item_ids=[one.pk])
    assert list(news.items.order_by("position").values_list("title", flat=True)) == ["二", "一"]
    other = dynamics(w)
    with pytest.raises(ServiceError, match="已编入其他一期") as caught:
        services.item_collect(actor=w.registrar, bulletin=other, item_ids=[one.pk])
    assert caught.value.field == "items"
    with pytest.raises(ServiceError, match="动态条目只编入信访动态"):
        services.item_collect(actor=w.registrar, bulletin=brief(w), item_ids=[one.pk])
    services.item_release(actor=w.registrar, bulletin=news, item_id=one.pk)
    issue(w, news)
    with pytest.raises(InvalidState):
        services.item_release(actor=w.registrar, bulletin=news, item_id=two.pk)
    with pytest.raises(InvalidState):
        services.item_delete(actor=w.registrar, item=two)
    services.item_delete(actor=w.registrar, item=one)  # uncollected again: may go


def test_an_item_is_refused_without_a_title_or_outside_the_writers_organ(february: World) -> None:
    w = february
    with pytest.raises(ServiceError, match="请填写标题") as caught:
        services.item_create(actor=w.registrar, org=w.city_bureau, title=" ", body="内容")
    assert caught.value.field == "title"
    with pytest.raises(NotAllowed, match="可以编写信访动态") as caught:
        services.item_create(actor=w.registrar, org=w.county_bureau, title="标题", body="内容")
    assert caught.value.field == "org"


def test_chinese_numerals() -> None:
    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 20, 35, 99)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "三十五",
        "九十九",
    ]
    assert FEBRUARY[0].month == 2


def test_a_cluster_of_accusations_is_no_hot_issue(february: World, freeze: Freeze) -> None:
    freeze("2026-02-20 10:00")
    accusations = [
        register(february, nature="accusation", accused_org=february.county_labour, subject="检举某局干部")
        for _ in range(3)
    ]
    alert(accusations, title="检举某局干部")
    freeze("2026-03-10 10:00")
    body = brief(february).body
    assert "检举某局干部" not in body and "本期未发出类案预警。" in body


def test_names_of_the_hot_issues_petitioners_stay_masked_in_the_clerks_edits(
    february: World, freeze: Freeze
) -> None:
    freeze("2026-02-20 10:00")
    cases = [register(february, subject="停车难", petitioners=_person("孙小梅")) for _ in range(3)]
    alert(cases, title="停车难")
    freeze("2026-03-10 10:00")
    bulletin = brief(february)
    updated = services.bulletin_update(
        actor=february.registrar, bulletin=bulletin, title="二月", body="孙小梅等反映停车难。"
    )
    assert updated.body == "孙**等反映停车难。"


def test_a_deleted_dynamics_draft_gives_its_items_back(february: World) -> None:
    w = february
    item = services.item_create(actor=w.registrar, org=w.city_bureau, title="一", body="第一条")
    news = dynamics(w)
    services.item_collect(actor=w.registrar, bulletin=news, item_ids=[item.pk])
    services.bulletin_delete(actor=w.registrar, bulletin=news)
    item.refresh_from_db()
    assert item.bulletin is None and item.position is None and not Bulletin.objects.exists()


def test_a_notable_case_says_where_it_stands(february: World) -> None:
    assert case_progress(to_accepted(february)) == "示例市住房和城乡建设局正在办理（办理中）"
    assert case_progress(to_delivered(february)) == "示例市住房和城乡建设局已作出处理意见（已送达）"
