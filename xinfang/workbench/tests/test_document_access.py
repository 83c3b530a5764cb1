"""Who may download a case's documents: one rule (`may_download_document`) for pages and API.

Every document kind names the petitioner, so every viewer who sees the case masked (a 统计员, a
government's 领导, a county bureau head overseeing the problem region, a 系统管理员) is refused it on
the staff pages and in the API alike, and is not offered it as a link.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.test import Client
from docx import Document

from xinfang.api.tests.conftest import Api
from xinfang.api.tokens import api_token_create
from xinfang.cases import services
from xinfang.cases.documents import (
    DOCUMENT_KINDS,
    PETITIONER_KINDS,
    available_documents,
    may_download_document,
    render_document,
)
from xinfang.cases.models import Case
from xinfang.cases.privacy import sees_personal_data
from xinfang.cases.selectors import case_detail
from xinfang.cases.tests.helpers import a_reply, register, reply_approved, to_delivered
from xinfang.orgs.models import Role, User
from xinfang.orgs.services import membership_grant, staff_user_create
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]


def _cases(world: World, freeze: Freeze) -> list[Case]:
    """Two cases that together have every kind of document: one went the whole way up the ladder
    (转送, 受理, 延期, 答复, 复查, 复核), the other was declined."""
    freeze("2025-03-03 09:00")
    case = register(world, received_on=dt.date(2025, 3, 3))
    declined = services.case_decline(
        actor=world.registrar,
        case=register(world),
        legal_channel="litigation",
        reasons="已由人民法院立案审理",
    )
    freeze("2025-03-04 10:00")
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    freeze("2025-03-10 10:00")
    case = services.case_accept(actor=world.handler, case=case)
    freeze("2025-04-20 15:00")
    case = services.case_extend(
        actor=world.handler, case=case, days=30, approver=world.approver, reason="需委托第三方鉴定"
    )
    freeze("2025-05-20 10:00")
    case = reply_approved(actor=world.handler, case=case, reply=a_reply())
    case = services.case_deliver(actor=world.handler, case=case, method="in_person")
    freeze("2025-05-26 10:00")
    case = services.case_review_request(actor=world.leader, case=case, reasons="对处理意见不服")
    freeze("2025-06-10 10:00")
    case = services.case_review_decide(actor=world.leader, case=case, outcome="uphold", opinion="予以维持。")
    membership_grant(user=world.leader, org=world.province_gov, role=Role.LEADER)
    freeze("2025-06-15 10:00")
    case = services.case_rereview_request(actor=world.leader, case=case, reasons="仍然不服")
    freeze("2025-07-01 10:00")
    case = services.case_rereview_decide(actor=world.leader, case=case, outcome="uphold", opinion="维持。")
    cases = [case, declined]
    covered = {kind for c in cases for kind, _ in available_documents(c)}
    assert covered == set(DOCUMENT_KINDS)  # the matrix below covers every kind there is
    return cases


def _viewer(world: World, who: str) -> User:
    if who in ("registrar", "handler", "leader"):
        return getattr(world, who)  # type: ignore[no-any-return]
    user = staff_user_create(username=who, full_name=who, password="Viewer-Pass-2026")
    org, role = {
        "stats_viewer": (world.city_bureau, Role.STATS_VIEWER),
        "county_bureau_head": (world.county_bureau, Role.BUREAU_HEAD),  # sees the county by region
        "admin": (world.city_bureau, Role.ADMIN),
    }[who]
    membership_grant(user=user, org=org, role=role)
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    lines += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(lines)


MASKED = ["stats_viewer", "leader", "county_bureau_head", "admin"]


@pytest.mark.parametrize("who", MASKED)
def test_a_viewer_who_sees_the_case_masked_gets_no_document_on_the_page_or_the_api(
    world: World, freeze: Freeze, who: str
) -> None:
    cases = _cases(world, freeze)
    viewer = _viewer(world, who)
    client, api = _client(viewer), Api(api_token_create(user=viewer, name="测试")[1])
    for case in cases:
        assert case_detail(viewer, case.pk) is not None and not sees_personal_data(viewer, case)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert "（已脱敏）" in page and "载有信访人个人信息" in page
        listed = {item["kind"]: item for item in api.get(f"/cases/{case.pk}/documents").json()}
        for kind, title in available_documents(case):
            url = f"/cases/{case.pk}/documents/{kind}/"
            assert f'href="{url}"' not in page, (who, kind)
            assert f"{title}<span" in page, (who, kind)  # named, but not offered as a link
            response = client.get(url)
            assert response.status_code == 403, (who, kind)
            assert "载有信访人个人信息" in response.content.decode() and b"PK" not in response.content[:2]
            assert client.get(f"{url}?format=pdf").status_code == 403, (who, kind)  # the same rule
            refused = api.get(f"/cases/{case.pk}/documents/{kind}")
            assert refused.status_code == 403, (who, kind)
            assert refused.json()["detail"][0]["code"] == "forbidden"
            assert listed[kind]["downloadable"] is False


@pytest.mark.parametrize("who", ["registrar", "handler"])
def test_the_registering_organ_and_the_unit_download_every_document(
    world: World, freeze: Freeze, who: str
) -> None:
    # The bureau registered both cases (every kind); the unit sees its case while it is with it
    # (after 复查 the case is the reviewing organ's).
    cases = _cases(world, freeze) if who == "registrar" else [to_delivered(world)]
    viewer = _viewer(world, who)
    client, api = _client(viewer), Api(api_token_create(user=viewer, name="测试")[1])
    for case in cases:
        assert sees_personal_data(viewer, case)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert "载有信访人个人信息" not in page
        listed = {item["kind"]: item for item in api.get(f"/cases/{case.pk}/documents").json()}
        for kind, _title in available_documents(case):
            url = f"/cases/{case.pk}/documents/{kind}/"
            assert f'href="{url}"' in page, (who, kind)
            response = client.get(url)
            assert response.status_code == 200 and response.content[:2] == b"PK", (who, kind)
            assert "张三" in _text(response.content)
            downloaded = api.get(f"/cases/{case.pk}/documents/{kind}")
            assert downloaded.status_code == 200, (who, kind)
            assert listed[kind]["downloadable"] is True


def test_every_kind_marked_as_personal_really_names_the_petitioner(world: World, freeze: Freeze) -> None:
    """The per-kind flag is checked against what each document prints, so a kind that stops (or
    starts) naming the petitioner cannot keep a wrong flag."""
    for case in _cases(world, freeze):
        for kind, _title in available_documents(case):
            text = _text(render_document(case, kind)[1])
            names = "张三" in text or "13800138000" in text or "幸福路" in text
            assert names == DOCUMENT_KINDS[kind].personal_data, kind


def test_a_citizen_gets_only_the_letters_addressed_to_the_petitioner(world: World) -> None:
    case = register(world, citizen=world.citizen)
    assert may_download_document(world.citizen, case, "acceptance_notice")
    assert not may_download_document(world.citizen, case, "routing_slip")
    assert set(DOCUMENT_KINDS) - {"routing_slip", "delivery_receipt"} == PETITIONER_KINDS


def test_a_refused_document_url_with_an_unknown_kind_is_still_not_found(world: World, freeze: Freeze) -> None:
    case = _cases(world, freeze)[0]
    viewer = _viewer(world, "stats_viewer")
    assert _client(viewer).get(f"/cases/{case.pk}/documents/summons/").status_code == 404
    api = Api(api_token_create(user=viewer, name="测试")[1])
    assert api.get(f"/cases/{case.pk}/documents/summons").status_code == 404


def _attached(world: World) -> tuple[Case, int]:
    case = register(world)
    attachment = services.case_attach(
        actor=world.registrar,
        case=case,
        name="来信原件.pdf",
        content="%PDF-1.4 张三 13800138000".encode(),
        pages=2,
    )
    return case, attachment.pk


@pytest.mark.parametrize("who", ["stats_viewer", "county_bureau_head", "admin"])
def test_a_viewer_who_sees_the_case_masked_gets_no_attachment(world: World, who: str) -> None:
    """An uploaded letter is not read by the system, so it follows the masking rule like the
    documents that print the petitioner: named on the page, not offered, refused at its address."""
    case, attachment = _attached(world)
    viewer = _viewer(world, who)
    assert case_detail(viewer, case.pk) is not None and not sees_personal_data(viewer, case)
    client = _client(viewer)
    url = f"/cases/{case.pk}/attachments/{attachment}/"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "来信原件.pdf（不可下载）" in page and f'href="{url}"' not in page
    assert "附件（来信原件、照片、笔录等）可能载有信访人个人信息" in page
    response = client.get(url)
    assert response.status_code == 403 and "可能载有信访人个人信息" in response.content.decode()


def test_the_registering_organ_downloads_the_attachment(world: World) -> None:
    case, attachment = _attached(world)
    client = _client(world.registrar)
    url = f"/cases/{case.pk}/attachments/{attachment}/"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="{url}"' in page and "不可下载" not in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("who", [*MASKED, "registrar"])
def test_the_case_file_follows_the_documents_rule_on_the_page_and_its_address(
    world: World, freeze: Freeze, who: str
) -> None:
    case = _cases(world, freeze)[0]
    viewer = _viewer(world, who)
    client = _client(viewer)
    url = f"/cases/{case.pk}/case-file/"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    response = client.get(url)
    if who == "registrar":
        assert f'href="{url}"' in page
        assert response.status_code == 200 and response.content[:2] == b"PK"
        assert (
            "案卷" in response["Content-Disposition"]
            or "%E6%A1%88%E5%8D%B7" in response["Content-Disposition"]
        )
        assert "张三" in _text(response.content)
    else:
        assert f'href="{url}"' not in page, who
        assert response.status_code == 403, who
        assert "案卷汇集本件全部文书" in response.content.decode()
