"""The case file as PDF, converted by the worker only: by LibreOffice where installed, else by the
built-in renderer."""

from __future__ import annotations

import shutil

import pytest

from xinfang.cases.documents import pdf
from xinfang.cases.models import CaseFileExport
from xinfang.cases.tasks import write_case_file_pdf
from xinfang.cases.tests.helpers import to_delivered
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.pdf import page_texts
from xinfang.testing.world import World


def test_without_libreoffice_the_worker_draws_the_case_file_itself(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda _name: None)
    case = to_delivered(world)
    client = _client(world.handler)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/cases/{case.pk}/case-file/"' in page and "生成案卷 PDF" in page
    assert client.post(f"/cases/{case.pk}/case-file/pdf/").status_code == 302
    export = CaseFileExport.objects.get()
    assert export.status == "queued"  # still the worker's job: a case file runs to many pages
    assert write_case_file_pdf.call(export.pk) == "done"
    url = f"/cases/{case.pk}/case-file/pdf/{export.pk}/"
    assert f'href="{url}"' in client.get(f"/cases/{case.pk}/").content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    pages = page_texts(response.content)
    assert pages[0].startswith(f"示例市信访局信访事项案卷信访件编号{case.number}")
    assert any("信访处理意见书" in page for page in pages) and "办理记录" in pages[-1]


def test_asking_for_the_pdf_queues_it_and_a_failed_conversion_is_shown(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "libreoffice", lambda: "/bin/false")  # installed, but every run fails
    case = to_delivered(world)
    client = _client(world.handler)
    assert "生成案卷 PDF" in client.get(f"/cases/{case.pk}/").content.decode()
    response = client.post(f"/cases/{case.pk}/case-file/pdf/")
    assert response.status_code == 302
    export = CaseFileExport.objects.get()
    assert export.status == "queued" and export.requested_by == world.handler  # not converted in the request
    assert write_case_file_pdf.call(export.pk) == "failed"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "生成失败：LibreOffice 转换失败" in page
    # another user cannot fetch it, nor anyone an export that is not done
    assert client.get(f"/cases/{case.pk}/case-file/pdf/{export.pk}/").status_code == 404


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_the_worker_converts_the_case_file_and_its_requester_downloads_it(world: World) -> None:
    case = to_delivered(world)
    client = _client(world.handler)
    client.post(f"/cases/{case.pk}/case-file/pdf/")
    export = CaseFileExport.objects.get()
    assert write_case_file_pdf.call(export.pk) == "done"
    assert write_case_file_pdf.call(export.pk) == "done"  # run once, even if enqueued twice
    page = client.get(f"/cases/{case.pk}/").content.decode()
    url = f"/cases/{case.pk}/case-file/pdf/{export.pk}/"
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-"
    assert _client(world.registrar).get(url).status_code == 404  # the requester's only


def test_housekeeping_drops_case_file_pdfs_after_a_week(world: World) -> None:
    import datetime as dt

    from xinfang.core.tasks import housekeeping
    from xinfang.core.timeutil import now

    case = to_delivered(world)
    old = CaseFileExport.objects.create(case=case, requested_by=world.handler)
    CaseFileExport.objects.filter(pk=old.pk).update(created_at=now() - dt.timedelta(days=8))
    recent = CaseFileExport.objects.create(case=case, requested_by=world.handler)
    assert housekeeping.call()["case_file_pdfs"] == 1
    assert list(CaseFileExport.objects.values_list("pk", flat=True)) == [recent.pk]
