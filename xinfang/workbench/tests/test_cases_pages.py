from __future__ import annotations

from xinfang.cases import services
from xinfang.cases.tests.helpers import ID_NUMBER, register, to_delivered
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.pdf import page_texts
from xinfang.testing.world import World


def test_the_case_list_shows_only_visible_cases(world: World) -> None:
    case = register(world)
    assert case.number in _client(world.registrar).get("/cases/").content.decode()
    assert case.number not in _client(world.other_clerk).get("/cases/").content.decode()


def test_the_list_filters_by_status_and_unit(world: World) -> None:
    routed = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    waiting = register(world)
    page = _client(world.registrar).get("/cases/?status=routed").content.decode()
    assert routed.number in page and waiting.number not in page
    mine = _client(world.handler).get("/cases/?scope=mine").content.decode()
    assert routed.number in mine and waiting.number not in mine


def test_the_detail_shows_clocks_timeline_and_documents(world: World) -> None:
    case = to_delivered(world)
    page = _client(world.handler).get(f"/cases/{case.pk}/").content.decode()
    assert "办理答复期限（第三十四条）" in page and "按期完成" in page
    assert "出具处理意见书" in page and "信访处理意见书（.docx）" in page
    assert ID_NUMBER in page  # the handling unit sees the petitioner's data


def test_an_overseeing_bureau_sees_personal_data_masked(world: World) -> None:
    from xinfang.orgs.models import Role
    from xinfang.orgs.services import membership_grant, staff_user_create

    case = to_delivered(world)
    viewer = staff_user_create(username="county_head", full_name="县局长", password="Viewer-Pass-2026")
    membership_grant(user=viewer, org=world.county_bureau, role=Role.BUREAU_HEAD)
    page = _client(viewer).get(f"/cases/{case.pk}/").content.decode()
    assert "（已脱敏）" in page and ID_NUMBER not in page and "110105********002X" in page


def test_a_case_outside_the_policy_is_not_found(world: World) -> None:
    case = register(world)
    assert _client(world.other_clerk).get(f"/cases/{case.pk}/").status_code == 404
    assert _client(world.other_clerk).get(f"/cases/{case.pk}/documents/reply_opinion/").status_code == 404


def test_a_document_downloads_as_docx(world: World) -> None:
    case = to_delivered(world)
    response = _client(world.handler).get(f"/cases/{case.pk}/documents/reply_opinion/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"
    assert _client(world.handler).get(f"/cases/{case.pk}/documents/review_opinion/").status_code == 404


def test_a_document_downloads_as_pdf_under_the_same_rule(world: World) -> None:
    case = to_delivered(world)
    url = f"/cases/{case.pk}/documents/reply_opinion/"
    assert f'href="{url}?format=pdf"' in _client(world.handler).get(f"/cases/{case.pk}/").content.decode()
    response = _client(world.handler).get(f"{url}?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and "信访处理意见书" in "".join(page_texts(response.content))
    assert _client(world.handler).get(f"{url}?format=odt").status_code == 404
    assert _client(world.other_clerk).get(f"{url}?format=pdf").status_code == 404


def test_citizens_cannot_open_the_workbench(world: World) -> None:
    assert _client(world.citizen).get("/cases/").status_code == 403


def test_an_attachment_downloads_for_those_who_see_the_case(
    world: World, settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    case = register(world)
    attachment = services.case_attach(
        actor=world.registrar, case=case, name="来信原件.pdf", content=b"%PDF-1.4"
    )
    page = _client(world.registrar).get(f"/cases/{case.pk}/").content.decode()
    assert "来信原件.pdf" in page
    url = f"/cases/{case.pk}/attachments/{attachment.pk}/"
    assert b"".join(_client(world.registrar).get(url).streaming_content) == b"%PDF-1.4"  # type: ignore[attr-defined]
    assert _client(world.other_clerk).get(url).status_code == 404


def test_a_long_list_counts_only_as_far_as_the_page_needs(world: World) -> None:
    """A bureau-wide user's list page does not count every visible case: past the cap it says
    "N 件以上" and still offers the next page, which counts further."""
    from unittest.mock import patch

    from xinfang.workbench.cases import CappedPaginator

    for _ in range(4):
        register(world)
    client = _client(world.registrar)
    with patch.object(CappedPaginator, "CAP", 2), patch("xinfang.workbench.cases.PER_PAGE", 2):
        first = client.get("/cases/").content.decode()
        assert "共 2 件以上" in first and "第 1 / 2+ 页" in first and "page=2" in first
        second = client.get("/cases/?page=2").content.decode()
        assert "共 4 件" in second and "以上" not in second and "第 2 / 2 页" in second
