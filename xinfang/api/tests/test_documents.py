from __future__ import annotations

import importlib.util
import io
import zipfile
from collections.abc import Callable

import pytest

from xinfang.api.tests.conftest import Api, errors_by_field
from xinfang.cases import services
from xinfang.cases.tests.helpers import register, to_delivered
from xinfang.orgs.models import User
from xinfang.testing.world import World

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("xinfang.cases.documents") is None,
    reason="the document module xinfang.cases.documents has not landed yet",
)
ApiAs = Callable[[User], Api]


def test_the_documents_of_a_case_are_listed_with_their_download_urls(world: World, api_as: ApiAs) -> None:
    case = to_delivered(world)
    response = api_as(world.handler).get(f"/cases/{case.pk}/documents")
    assert response.status_code == 200
    listed = {item["kind"]: item for item in response.json()}
    assert {"routing_slip", "acceptance_notice", "reply_opinion"} <= set(listed)
    assert listed["reply_opinion"]["title"] == "信访处理意见书"
    assert listed["reply_opinion"]["url"] == f"/api/v1/cases/{case.pk}/documents/reply_opinion"


def test_a_document_downloads_as_a_docx_named_after_the_case(world: World, api_as: ApiAs) -> None:
    case = to_delivered(world)
    response = api_as(world.handler).get(f"/cases/{case.pk}/documents/reply_opinion")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    assert "attachment" in response["Content-Disposition"] and case.number in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(content)).namelist()


def test_a_document_the_case_cannot_have_yet_is_a_404_naming_the_kind(world: World, api_as: ApiAs) -> None:
    case = register(world)
    api = api_as(world.registrar)
    response = api.get(f"/cases/{case.pk}/documents/reply_opinion")
    assert response.status_code == 404
    assert errors_by_field(response)["kind"]["code"] == "not_found"
    assert api.get(f"/cases/{case.pk}/documents/no_such_kind").status_code == 404


def test_only_those_who_see_personal_data_download_documents(world: World, api_as: ApiAs) -> None:
    case = to_delivered(world)
    services.case_review_request(actor=world.leader, case=case, reasons="不服")
    leader = api_as(world.leader)
    assert leader.get(f"/cases/{case.pk}/documents").status_code == 200
    response = leader.get(f"/cases/{case.pk}/documents/reply_opinion")
    assert response.status_code == 403 and response.json()["detail"][0]["code"] == "forbidden"
