"""Pages of the legal-route guide: the guide (with the back office's links for those who may edit),
the suggestion fragment and the registration form's hint, the decline step offering the guide's
routes (suggested first) and writing the guidance, the 告知书 it produces, and the matters guided
with their figures."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from docx import Document

from xinfang.cases.models import Case, ContentCategory
from xinfang.cases.tests.helpers import category, register
from xinfang.core.timeutil import local_date
from xinfang.reception.legal_routes import DEFAULT_ROUTES_CSV, load_routes
from xinfang.reception.models import LegalGuidance, LegalRoute
from xinfang.reception.services import legal_route_decline
from xinfang.testing.pages import page_text as _page
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import World

WAGES = "公司拖欠工资三个月并单方解除劳动合同，请求支付工资和经济补偿。"


@pytest.fixture
def guide(db: None) -> None:
    category("040100")
    if not LegalRoute.objects.exists():  # a browser test elsewhere may have flushed the migration's rows
        load_routes(
            DEFAULT_ROUTES_CSV.read_text(encoding="utf-8"),
            route_model=LegalRoute,
            category_model=ContentCategory,
        )


def arbitration() -> LegalRoute:
    return LegalRoute.objects.get(category__code="040100", name="劳动人事争议仲裁")


def labour_case(world: World) -> Case:
    return register(world, category=category("040100"), subject="公司拖欠工资", content=WAGES)


# ---------------------------------------------------------------- the guide


def test_the_guide_lists_every_category_with_basis_and_place(world: World, guide: None) -> None:
    html = _page(_client(world.registrar), "/reception/legal-routes/")
    assert "法定途径清单" in html and "《信访工作条例》第三十一条" in html
    for name in ("农村农业", "劳动和社会保障", "纪检监察", "其他", "各类事项通用"):
        assert name in html
    assert "劳动人事争议仲裁" in html and "《中华人民共和国劳动争议调解仲裁法》第二条、第五条" in html
    assert "劳动合同履行地或者用人单位所在地的劳动人事争议仲裁委员会" in html
    assert "/admin/" not in html  # no back-office links for a clerk


def test_staff_with_back_office_rights_get_the_edit_links_and_see_inactive_lines(
    world: World, guide: None
) -> None:
    admin = world.registrar
    admin.is_staff = admin.is_superuser = True
    admin.save()
    route = arbitration()
    LegalRoute.objects.filter(pk=route.pk).update(is_active=False)
    html = _page(_client(admin), "/reception/legal-routes/")
    assert (
        f"/admin/reception/legalroute/{route.pk}/change/" in html
        and "/admin/reception/legalroute/add/" in html
    )
    assert "已停用" in html
    clerk_html = _page(_client(world.handler), "/reception/legal-routes/")
    assert f'id="route-{route.pk}"' not in clerk_html


def test_a_citizen_may_not_open_the_staff_guide(world: World, guide: None) -> None:
    assert _client(world.citizen).get("/reception/legal-routes/").status_code == 403
    assert Client().get("/reception/legal-routes/").status_code == 302  # to the login


# ---------------------------------------------------------------- the suggestion


def test_the_fragment_suggests_labour_arbitration_with_its_basis_and_place(world: World, guide: None) -> None:
    client = _client(world.registrar)
    html = _page(client, "/reception/legal-routes/suggest/?category=040100&subject=讨薪&content=" + WAGES)
    assert "可能属于法定途径：" in html
    assert "劳动人事争议仲裁（依据《中华人民共和国劳动争议调解仲裁法》第二条" in html
    assert "向劳动合同履行地或者用人单位所在地的劳动人事争议仲裁委员会" in html
    assert "<html" not in html  # a fragment
    # traditional characters are read as simplified
    assert "劳动人事争议仲裁" in _page(
        client, "/reception/legal-routes/suggest/?category=040300&text=拖欠工資"
    )


@pytest.mark.parametrize(
    "query",
    ["", "?category=", "?category=999999&text=工资", "?category=abc&text=工资", "?category=040100&text=天气"],
)
def test_the_fragment_is_empty_when_nothing_fits(world: World, guide: None, query: str) -> None:
    html = _page(_client(world.registrar), "/reception/legal-routes/suggest/" + query)
    assert html.strip() == ""


def test_the_fragment_is_for_staff_and_read_only(world: World, guide: None) -> None:
    assert _client(world.citizen).get("/reception/legal-routes/suggest/?category=040100").status_code == 403
    assert (
        _client(world.registrar).post("/reception/legal-routes/suggest/", {"category": "040100"}).status_code
        == 405
    )


def test_the_registration_form_carries_the_hint_and_draws_it_after_checking(
    world: World, guide: None
) -> None:
    client = _client(world.registrar)
    html = _page(client, "/cases/new/")
    assert 'id="legal-route-panel"' in html and 'data-url="/reception/legal-routes/suggest/"' in html
    assert "workbench/legal_routes.js" in html and "可能属于法定途径" not in html
    data: dict[str, Any] = {
        "org": world.city_bureau.pk,
        "channel": "visit",
        "nature": "appeal",
        "category": "040100",
        "subject": "公司拖欠工资",
        "content": WAGES,
        "problem_region": world.county.code,
        "received_on": local_date().isoformat(),
        "headcount": "1",
        "p-TOTAL_FORMS": "10",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "10",
        "check": "1",
    }
    response = client.post("/cases/new/", data)
    html = response.content.decode()
    assert response.status_code == 200 and "可能属于法定途径：" in html and "劳动人事争议仲裁（依据" in html
    assert not Case.objects.exists()


# ---------------------------------------------------------------- the decline step


def test_the_decline_page_offers_the_suggested_route_first(world: World, guide: None) -> None:
    case = labour_case(world)
    html = _page(_client(world.registrar), f"/cases/{case.pk}/act/decline/")
    route = arbitration()
    assert '<optgroup label="系统建议">' in html
    assert f'<option value="route:{route.pk}" selected>【建议】劳动人事争议仲裁（劳动关系）</option>' in html
    assert html.index("系统建议") < html.index("法定途径清单 · ") < html.index("仅选择法定途径类别")
    assert '<option value="litigation">诉讼</option>' in html
    assert "系统建议：劳动人事争议仲裁（依据《中华人民共和国劳动争议调解仲裁法》" in html
    assert WAGES in html  # the matter is shown beside the form


def test_declining_into_a_route_writes_the_guidance_and_the_notice_names_it(
    world: World, guide: None
) -> None:
    case = labour_case(world)
    route = arbitration()
    client = _client(world.registrar)
    response = client.post(
        f"/cases/{case.pk}/act/decline/",
        {"legal_channel": f"route:{route.pk}", "reasons": "该事项属于劳动争议，应当申请劳动人事争议仲裁"},
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    guidance = LegalGuidance.objects.get(case=case)
    assert guidance.route == route and guidance.suggested and guidance.org == world.city_bureau
    assert Case.objects.get(pk=case.pk).status == "declined"
    download = client.get(f"/cases/{case.pk}/documents/decline_notice/")
    assert download.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(download.content)).paragraphs)
    assert "法定途径（劳动人事争议仲裁）" in text
    assert "法律依据：《中华人民共和国劳动争议调解仲裁法》第二条、第五条" in text
    assert "受理机关：劳动合同履行地或者用人单位所在地的劳动人事争议仲裁委员会" in text


def test_declining_into_a_bare_kind_still_counts_the_guidance(world: World, guide: None) -> None:
    case = labour_case(world)
    response = _client(world.registrar).post(
        f"/cases/{case.pk}/act/decline/", {"legal_channel": "litigation", "reasons": "已起诉"}
    )
    assert response.status_code == 302
    guidance = LegalGuidance.objects.get(case=case)
    assert guidance.route is None and guidance.route_name == "诉讼" and not guidance.suggested


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"legal_channel": "", "reasons": "x"}, "请选择法定途径。"),
        (
            {"legal_channel": "route:999999", "reasons": "x"},
            "所选法定途径不在法定途径清单中或已停用，请重新选择。",
        ),
        (
            {"legal_channel": "route:abc", "reasons": "x"},
            "所选法定途径不在法定途径清单中或已停用，请重新选择。",
        ),
        ({"legal_channel": "court", "reasons": "x"}, "所选法定途径不在法定途径清单中或已停用，请重新选择。"),
        ({"legal_channel": "ROUTE", "reasons": ""}, "不予受理理由"),
    ],
)
def test_a_bad_decline_shows_its_error_and_changes_nothing(
    world: World, guide: None, data: dict[str, str], message: str
) -> None:
    case = labour_case(world)
    if data["legal_channel"] == "ROUTE":
        data = {**data, "legal_channel": f"route:{arbitration().pk}"}
    response = _client(world.registrar).post(f"/cases/{case.pk}/act/decline/", data)
    html = response.content.decode()
    assert response.status_code == 200 and message in html and "field-error" in html
    assert Case.objects.get(pk=case.pk).status == "registered" and not LegalGuidance.objects.exists()


def test_a_route_switched_off_is_no_longer_offered_nor_taken(world: World, guide: None) -> None:
    case = labour_case(world)
    route = arbitration()
    client = _client(world.registrar)
    page = _page(client, f"/cases/{case.pk}/act/decline/")  # the clerk opens the page ...
    assert f"route:{route.pk}" in page
    LegalRoute.objects.filter(pk=route.pk).update(is_active=False)  # ... the back office switches it off
    response = client.post(
        f"/cases/{case.pk}/act/decline/", {"legal_channel": f"route:{route.pk}", "reasons": "x"}
    )
    assert response.status_code == 200 and "已停用" in response.content.decode()
    assert f"route:{route.pk}" not in _page(client, f"/cases/{case.pk}/act/decline/")


def test_an_outsider_gets_a_404_on_the_decline_page(world: World, guide: None) -> None:
    case = labour_case(world)
    client = _client(world.other_clerk)
    assert client.get(f"/cases/{case.pk}/act/decline/").status_code == 404
    response = client.post(
        f"/cases/{case.pk}/act/decline/", {"legal_channel": f"route:{arbitration().pk}", "reasons": "x"}
    )
    assert response.status_code == 404 and not LegalGuidance.objects.exists()


# ---------------------------------------------------------------- the matters guided


def test_the_guided_matters_page_lists_them_with_figures(world: World, guide: None) -> None:
    case = labour_case(world)
    legal_route_decline(actor=world.registrar, case=case, reasons="劳动争议", route=arbitration())
    html = _page(_client(world.registrar), "/reception/legal-guidance/")
    assert case.number in html and "劳动人事争议仲裁" in html and "040000 劳动和社会保障" in html
    assert "采纳系统建议" in html and "100.0%" in html
    today = local_date().isoformat()
    filtered = _page(
        _client(world.registrar), f"/reception/legal-guidance/?since={today}&until={today}&category=040000"
    )
    assert case.number in filtered
    other = _page(_client(world.registrar), "/reception/legal-guidance/?category=080000")
    assert case.number not in other and "没有导入法定途径的事项。" in other


def test_a_bad_filter_is_shown_on_its_field(world: World, guide: None) -> None:
    legal_route_decline(
        actor=world.registrar, case=labour_case(world), reasons="劳动争议", route=arbitration()
    )
    html = _page(_client(world.registrar), "/reception/legal-guidance/?since=2025-03-10&until=2025-03-01")
    assert "告知日期止不能早于告知日期起。" in html and "没有导入法定途径的事项。" in html
    assert "告知日期起应为日期（年-月-日）。" in _page(
        _client(world.registrar), "/reception/legal-guidance/?since=abc"
    )


def test_an_outsider_sees_no_guided_matter(world: World, guide: None) -> None:
    case = labour_case(world)
    legal_route_decline(actor=world.registrar, case=case, reasons="劳动争议", route=arbitration())
    html = _page(_client(world.other_clerk), "/reception/legal-guidance/")
    assert case.number not in html and "没有导入法定途径的事项。" in html
