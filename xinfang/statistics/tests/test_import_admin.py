"""The import in the back office: upload, preview of the first rows and of every error, confirm."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xinfang.cases.models import Case
from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant
from xinfang.statistics.models import ImportedCase
from xinfang.statistics.tests.helpers import BAD_ROWS, GOOD_ROWS, write_csv
from xinfang.testing.world import World

URL = "/admin/statistics/importedcase/import/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _admin(world: World) -> Client:
    membership_grant(user=world.bureau_head, org=world.city_bureau, role=Role.ADMIN)
    client = Client()
    client.force_login(world.bureau_head)
    return client


def _upload(client: Client, path: Path) -> str:
    with path.open("rb") as fh:
        response = client.post(URL, {"file": SimpleUploadedFile(path.name, fh.read())})
    assert response.status_code == 200
    return response.content.decode()


def _token(page: str) -> str:
    return page.split('name="token" value="', 1)[1].split('"', 1)[0]


def test_upload_previews_then_confirm_imports(world: World, tmp_path: Path) -> None:
    client = _admin(world)
    assert "导入原有信访记录" in client.get("/admin/statistics/importedcase/").content.decode()
    page = _upload(client, write_csv(tmp_path / "export.csv", GOOD_ROWS))
    assert "共 5 行，检查通过 5 行" in page and "工地拖欠农民工工资" in page and "尚未写入" in page
    assert not Case.objects.exists()
    done = client.post(URL, {"token": _token(page), "name": "export.csv"}).content.decode()
    assert "新导入 5 件" in done
    assert ImportedCase.objects.filter(source_file="export.csv").count() == 5


def test_every_error_is_shown_and_nothing_is_imported_unless_skipped(world: World, tmp_path: Path) -> None:
    client = _admin(world)
    page = _upload(client, write_csv(tmp_path / "bad.csv", [*GOOD_ROWS, *(r for r, _, _ in BAD_ROWS)]))
    assert f"{len(BAD_ROWS)} 行有误" in page
    for _, column, words in BAD_ROWS:
        assert column in page and words in page
    token = _token(page)
    refused = client.post(URL, {"token": token, "name": "bad.csv"}).content.decode()
    assert "未导入任何行" in refused and not Case.objects.exists()
    done = client.post(URL, {"token": token, "name": "bad.csv", "skip_bad": "on"}).content.decode()
    assert "新导入 5 件" in done and ImportedCase.objects.count() == 5


def test_a_file_that_cannot_be_read_is_named_on_the_form(world: World, tmp_path: Path) -> None:
    client = _admin(world)
    path = tmp_path / "short.csv"
    path.write_text("信访件编号\nX\n", encoding="utf-8")
    assert "缺少必填列" in _upload(client, path)


def test_staff_without_the_admin_role_cannot_import(world: World, tmp_path: Path) -> None:
    client = Client()
    client.force_login(world.registrar)
    assert client.get(URL).status_code == 302  # to the back office's login


def test_an_upload_left_unconfirmed_is_removed_a_day_later(world: World, tmp_path: Path) -> None:
    import os
    import time

    from xinfang.statistics.upload import upload_dir

    client = _admin(world)
    _upload(client, write_csv(tmp_path / "export.csv", GOOD_ROWS))
    (old,) = upload_dir().glob("*.csv")
    os.utime(old, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    _upload(client, write_csv(tmp_path / "export.csv", GOOD_ROWS))
    assert not old.exists() and len(list(upload_dir().glob("*.csv"))) == 1
