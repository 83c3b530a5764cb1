"""导入法定途径 (legal_route_decline) and the reads of the guide and of the matters guided: each rule
of the service, each refusal, the 告知书 naming the route, and the figures."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from docx import Document

from xinfang.cases import services as case_services
from xinfang.cases.documents import available_documents, render_document
from xinfang.cases.models import Case, ContentCategory
from xinfang.cases.tests.helpers import category, register
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.reception.legal_routes import DEFAULT_ROUTES_CSV, load_routes
from xinfang.reception.models import LegalGuidance, LegalRoute
from xinfang.reception.selectors.routes import (
    guidances_visible_to,
    guide_by_category,
    guide_lines,
    legal_guidance_figures,
    level1_of,
    suggest_routes_for,
    suggested_for_case,
)
from xinfang.reception.services import legal_route_decline
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]
WAGES_TEXT = "本人在某公司工作两年，公司拖欠工资三个月并单方解除劳动合同，请求支付工资和经济补偿。"


@pytest.fixture
def guide(db: None) -> dict[str, LegalRoute]:
    """The shipped guide (reloaded if a browser test flushed the migration's rows), by name."""
    category("040100")
    if not LegalRoute.objects.exists():
        load_routes(
            DEFAULT_ROUTES_CSV.read_text(encoding="utf-8"),
            route_model=LegalRoute,
            category_model=ContentCategory,
        )
    routes: dict[str, LegalRoute] = {}
    for route in LegalRoute.objects.select_related("category").order_by("category__code", "order", "pk"):
        routes.setdefault(f"{route.category.code if route.category else ''}:{route.name}", route)
    return routes


def labour_case(world: World, **overrides: object) -> Case:
    fields: dict[str, object] = {
        "category": category("040100"),
        "subject": "公司拖欠工资并解除劳动合同",
        "content": WAGES_TEXT,
    }
    fields.update(overrides)
    return register(world, **fields)


def arbitration(guide: dict[str, LegalRoute]) -> LegalRoute:
    return guide["040100:劳动人事争议仲裁"]


def notice_text(case: Case) -> str:
    _, data = render_document(case, "decline_notice")
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


# ---------------------------------------------------------------- 导入法定途径


def test_a_labour_dispute_is_guided_to_labour_arbitration_with_the_notice_naming_it(
    world: World, guide: dict[str, LegalRoute], freeze: Freeze
) -> None:
    freeze("2025-03-10 09:00")
    case = labour_case(world)
    route = arbitration(guide)
    assert suggested_for_case(case)[0] == route
    declined = legal_route_decline(
        actor=world.registrar, case=case, reasons="该事项属于劳动争议，应当申请劳动人事争议仲裁", route=route
    )
    assert declined.status == "declined" and declined.closed_at is not None
    event = declined.events.get(kind="declined")
    assert event.payload["legal_channel"] == "labour_arbitration"
    assert event.payload["legal_channel_name"] == "劳动人事争议仲裁"
    assert (
        event.payload["legal_basis"] == route.legal_basis
        and event.payload["where_to_go"] == route.where_to_go
    )
    guidance = LegalGuidance.objects.get(case=case)
    assert (guidance.route, guidance.channel, guidance.route_name) == (
        route,
        "labour_arbitration",
        "劳动人事争议仲裁",
    )
    assert guidance.category.code == "040100" and guidance.org == world.city_bureau
    assert guidance.suggested and guidance.by == world.registrar and guidance.at == declined.closed_at
    # the 不予受理告知书 names the route, its basis and where to go
    assert available_documents(declined) == [("decline_notice", "不予受理告知书")]
    text = notice_text(declined)
    assert "法定途径（劳动人事争议仲裁）" in text and "《信访工作条例》第三十一条" in text
    assert "法律依据：《中华人民共和国劳动争议调解仲裁法》第二条、第五条" in text
    assert "受理机关：劳动合同履行地或者用人单位所在地的劳动人事争议仲裁委员会" in text


def test_a_route_the_guide_did_not_suggest_is_recorded_as_not_suggested(
    world: World, guide: dict[str, LegalRoute]
) -> None:
    case = labour_case(world)
    route = guide["080100:申请再审或者申诉（审判监督程序）"]
    legal_route_decline(actor=world.registrar, case=case, reasons="已由人民法院判决", route=route)
    guidance = LegalGuidance.objects.get(case=case)
    assert not guidance.suggested and guidance.channel == "litigation" and guidance.route == route
    assert "法定途径（申请再审或者申诉（审判监督程序））" in notice_text(Case.objects.get(pk=case.pk))


def test_without_a_route_the_kind_of_procedure_is_recorded(
    world: World, guide: dict[str, LegalRoute]
) -> None:
    case = labour_case(world)
    declined = legal_route_decline(
        actor=world.registrar, case=case, reasons="应当申请仲裁", legal_channel="labour_arbitration"
    )
    event = declined.events.get(kind="declined")
    assert event.payload["legal_channel_name"] == "劳动人事争议仲裁" and "legal_basis" not in event.payload
    guidance = LegalGuidance.objects.get(case=case)
    assert guidance.route is None and guidance.route_name == "劳动人事争议仲裁" and not guidance.suggested
    text = notice_text(declined)
    assert "法定途径（劳动人事争议仲裁）" in text and "法律依据：" not in text


def test_the_same_kind_given_with_the_route_is_accepted(world: World, guide: dict[str, LegalRoute]) -> None:
    case = labour_case(world)
    legal_route_decline(
        actor=world.registrar,
        case=case,
        reasons="劳动争议",
        route=arbitration(guide),
        legal_channel="labour_arbitration",
    )
    assert LegalGuidance.objects.get(case=case).route == arbitration(guide)


def _refused(world: World, case: Case, **kwargs: object) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        legal_route_decline(actor=kwargs.pop("actor", world.registrar), case=case, **kwargs)  # type: ignore[arg-type]
    assert Case.objects.get(pk=case.pk).status == "registered"
    assert not LegalGuidance.objects.filter(case=case).exists()
    return refused.value


def test_an_inactive_route_is_refused(world: World, guide: dict[str, LegalRoute]) -> None:
    route = arbitration(guide)
    LegalRoute.objects.filter(pk=route.pk).update(is_active=False)  # switched off in the back office
    error = _refused(world, labour_case(world), reasons="劳动争议", route=route)
    assert error.field == "route" and error.message == "法定途径“劳动人事争议仲裁”已停用，请重新选择。"


def test_a_route_no_longer_in_the_guide_is_refused(world: World, guide: dict[str, LegalRoute]) -> None:
    route = LegalRoute.objects.create(
        channel="other", name="临时", matters="x", legal_basis="《某法》", where_to_go="某机关"
    )
    LegalRoute.objects.filter(pk=route.pk).delete()
    error = _refused(world, labour_case(world), reasons="劳动争议", route=route)
    assert error.field == "route" and "不在法定途径清单中" in error.message


def test_a_different_kind_given_with_the_route_is_refused(world: World, guide: dict[str, LegalRoute]) -> None:
    error = _refused(
        world, labour_case(world), reasons="劳动争议", route=arbitration(guide), legal_channel="litigation"
    )
    assert error.field == "legal_channel"
    assert error.message == (
        "法定途径类别“诉讼”与所选法定途径“劳动人事争议仲裁”（劳动人事争议仲裁）不一致，请只选择其中一项。"
    )


def test_neither_a_route_nor_a_kind_is_refused(world: World, guide: dict[str, LegalRoute]) -> None:
    error = _refused(world, labour_case(world), reasons="劳动争议")
    assert error.field == "legal_channel" and error.message.startswith("请选择法定途径")


def test_an_unknown_kind_is_refused_with_the_choices(world: World, guide: dict[str, LegalRoute]) -> None:
    error = _refused(world, labour_case(world), reasons="劳动争议", legal_channel="court")
    assert error.field == "legal_channel" and "劳动人事争议仲裁" in error.message


def test_the_reasons_are_required(world: World, guide: dict[str, LegalRoute]) -> None:
    error = _refused(world, labour_case(world), reasons="  ", route=arbitration(guide))
    assert error.field == "reasons" and "不予受理理由" in error.message


def test_only_the_bureau_holding_the_case_declines_it(world: World, guide: dict[str, LegalRoute]) -> None:
    error = _refused(
        world, labour_case(world), actor=world.other_clerk, reasons="劳动争议", route=arbitration(guide)
    )
    assert isinstance(error, NotAllowed)


def test_a_matter_already_declined_is_not_declined_again(world: World, guide: dict[str, LegalRoute]) -> None:
    case = labour_case(world)
    legal_route_decline(actor=world.registrar, case=case, reasons="劳动争议", route=arbitration(guide))
    with pytest.raises(InvalidState):
        legal_route_decline(actor=world.registrar, case=case, reasons="再次", legal_channel="litigation")
    assert LegalGuidance.objects.filter(case=case).count() == 1


def test_a_case_forwarded_to_a_unit_is_not_the_bureaus_to_decline(
    world: World, guide: dict[str, LegalRoute]
) -> None:
    case = case_services.case_forward(
        actor=world.registrar, case=labour_case(world), to_org=world.city_housing
    )
    with pytest.raises(ServiceError):
        legal_route_decline(actor=world.registrar, case=case, reasons="劳动争议", route=arbitration(guide))
    assert not LegalGuidance.objects.filter(case=case).exists()


# ---------------------------------------------------------------- the guide's reads


def test_suggestions_skip_inactive_lines_and_name_a_route_once(
    world: World, guide: dict[str, LegalRoute]
) -> None:
    names = [r.name for r in suggest_routes_for(category="080100", text="不服法院生效判决，申请再审")]
    assert names.count("申请再审或者申诉（审判监督程序）") == 1  # the class's line and the general one
    LegalRoute.objects.filter(name="申请再审或者申诉（审判监督程序）").update(is_active=False)
    assert "申请再审或者申诉（审判监督程序）" not in [
        r.name for r in suggest_routes_for(category="080100", text="不服法院生效判决，申请再审")
    ]
    assert suggest_routes_for(category=None, text="工资") == []
    assert suggest_routes_for(category="040100", text="工资", limit=0) == []
    assert len(suggest_routes_for(category="040200", text="社保局 用人单位 补缴 工伤认定", limit=2)) == 2
    assert all(
        line.route_id in {r.pk for r in LegalRoute.objects.filter(is_active=True)} for line in guide_lines()
    )


def test_the_guide_by_category_lists_every_level1_class_with_its_level2_lines(
    guide: dict[str, LegalRoute],
) -> None:
    groups = guide_by_category()
    codes = [g.code for g in groups]
    assert codes == [*sorted(c for c in codes if c), ""]  # code order, the general lines last
    assert len([c for c in codes if c]) == 17 and groups[-1].name == "各类事项通用"
    labour = next(g for g in groups if g.code == "040000")
    assert labour.name == "劳动和社会保障"
    levels = [r.category.level for r in labour.routes]
    assert levels == sorted(levels) and {r.category.code for r in labour.routes} >= {
        "040100",
        "040200",
        "040300",
    }
    route = arbitration(guide)
    LegalRoute.objects.filter(pk=route.pk).update(is_active=False)
    assert route.pk not in {r.pk for g in guide_by_category() for r in g.routes}
    assert route.pk in {r.pk for g in guide_by_category(include_inactive=True) for r in g.routes}


def test_level1_of_walks_up_the_tree(guide: dict[str, LegalRoute]) -> None:
    assert level1_of(category("040100")) == category("040000")
    assert level1_of(category("040000")) == category("040000") and level1_of(None) is None


def test_the_matters_guided_are_read_through_the_access_policy_with_figures(
    world: World, guide: dict[str, LegalRoute]
) -> None:
    legal_route_decline(
        actor=world.registrar, case=labour_case(world), reasons="劳动争议", route=arbitration(guide)
    )
    legal_route_decline(
        actor=world.registrar,
        case=labour_case(world, category=category("040200"), content="社保局核定的养老金有误"),
        reasons="社保经办机构的行为",
        route=guide["040200:行政复议、行政诉讼（社会保险经办机构的行为）"],
    )
    legal_route_decline(
        actor=world.registrar,
        case=register(world, category=category("080100"), content="不服法院判决"),
        reasons="已有生效判决",
        legal_channel="litigation",
    )
    mine = guidances_visible_to(world.registrar)
    assert mine.count() == 3 and guidances_visible_to(world.other_clerk).count() == 0
    assert guidances_visible_to(world.citizen).count() == 0
    figures = legal_guidance_figures(mine)
    assert figures.total == 3 and figures.suggested == 2 and figures.suggested_share == "66.7%"
    assert figures.by_category == [("040000", "劳动和社会保障", 2), ("080000", "政法", 1)]
    assert figures.by_route == [
        ("劳动人事争议仲裁", "劳动人事争议仲裁", 1),
        ("行政复议、行政诉讼（社会保险经办机构的行为）", "行政复议", 1),
        ("诉讼", "诉讼", 1),
    ]
    empty = legal_guidance_figures(guidances_visible_to(world.other_clerk))
    assert (empty.total, empty.by_category, empty.by_route, empty.suggested_share) == (0, [], [], "—")
