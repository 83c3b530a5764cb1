"""The 写信 page's legal-route guide (法定途径清单, 第三十一条): the guide by category under the intro,
the suggestion for the chosen category (a public fragment, and drawn after a send without scripts),
and nothing but the guide's public text."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xinfang.cases.models import Case, ContentCategory
from xinfang.cases.tests.helpers import category
from xinfang.portal.tests.helpers import citizen
from xinfang.reception.legal_routes import DEFAULT_ROUTES_CSV, load_routes
from xinfang.reception.models import LegalRoute

WAGES = "公司拖欠我三个月工资，还单方解除了劳动合同。"


@pytest.fixture
def guide(db: None) -> None:
    category("040000")
    if not LegalRoute.objects.exists():  # a browser test elsewhere may have flushed the migration's rows
        load_routes(
            DEFAULT_ROUTES_CSV.read_text(encoding="utf-8"),
            route_model=LegalRoute,
            category_model=ContentCategory,
        )


def _writer() -> Client:
    client = Client()
    client.force_login(citizen())
    return client


def test_the_submit_page_shows_the_guide_by_category_under_the_intro(world: Any, guide: None) -> None:
    html = _writer().get("/portal/submit/").content.decode()
    section = html[html.index('id="legal-route-guide"') :]
    assert section.index("信访部门对这类事项不予受理，但会告知您应向哪个机关提出") < section.index("<details")
    for name in ("农村农业", "劳动和社会保障", "卫生计生", "纪检监察", "其他"):
        assert f"<summary>{name}（" in section
    assert "→ 劳动人事争议仲裁，向劳动合同履行地或者用人单位所在地的劳动人事争议仲裁委员会" in section
    assert "依据：《中华人民共和国劳动争议调解仲裁法》第二条、第五条" in section
    assert 'data-url="/portal/legal-routes/suggest/"' in section and "portal/legal_routes.js" in section
    assert "您反映的问题可能属于法定途径" not in section  # nothing chosen yet
    assert "关键词" not in section  # only the public text: no keywords, no back-office links
    assert "/admin/" not in section


def test_an_inactive_line_is_not_shown_to_citizens(world: Any, guide: None) -> None:
    LegalRoute.objects.filter(name="劳动能力再次鉴定").update(is_active=False)
    html = _writer().get("/portal/submit/").content.decode()
    assert "劳动能力再次鉴定" not in html


def test_the_fragment_is_public_and_suggests_by_category_id_or_code(world: Any, guide: None) -> None:
    labour = category("040000")
    client = Client()  # no account
    by_id = client.get("/portal/legal-routes/suggest/", {"category": labour.pk, "content": WAGES})
    assert by_id.status_code == 200
    html = by_id.content.decode()
    assert (
        "您反映的问题可能属于法定途径：" in html
        and "劳动人事争议仲裁（依据《中华人民共和国劳动争议调解仲裁法》" in html
    )
    assert "<html" not in html
    by_code = client.get("/portal/legal-routes/suggest/", {"category": "040000", "subject": "拖欠工資"})
    assert "劳动人事争议仲裁" in by_code.content.decode()  # traditional characters too


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"category": ""},
        {"category": "abc", "content": WAGES},
        {"category": "99999999"},
        {"category": "040000", "content": "天气很好"},
    ],
)
def test_the_fragment_is_empty_when_nothing_fits(world: Any, guide: None, params: dict[str, str]) -> None:
    response = Client().get("/portal/legal-routes/suggest/", params)
    assert response.status_code == 200 and response.content.decode().strip() == ""


def test_the_fragment_only_answers_get(world: Any, guide: None) -> None:
    assert Client().post("/portal/legal-routes/suggest/", {"category": "040000"}).status_code == 405


def test_a_refused_send_draws_the_suggestion_without_scripts(world: Any, guide: None) -> None:
    data = {
        "problem_region": world.county.pk,
        "category": category("040000").pk,
        "org": world.city_bureau.pk,
        "nature": "appeal",
        "subject": "公司拖欠工资",
        "content": WAGES,
        "token": "form-token-routes",
        # no consent: the form is refused and shown again
    }
    response = _writer().post("/portal/submit/", data)
    html = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert "您反映的问题可能属于法定途径：" in html and "劳动人事争议仲裁（依据" in html
