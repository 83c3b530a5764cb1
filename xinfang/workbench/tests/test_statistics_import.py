"""The import on the workbench (/statistics/import/): a 统计员 or 系统管理员 uploads, previews, confirms;
anyone else is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xinfang.cases.models import Case
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Role, User
from xinfang.statistics.models import ImportedCase
from xinfang.statistics.tests.helpers import BAD_ROWS, GOOD_ROWS, write_csv
from xinfang.testing.world import PASSWORD, World
from xinfang.workbench.statistics_import import REFUSED

URL = "/statistics/import/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _user(world: World, role: Role, username: str) -> User:
    user = org_services.staff_user_create(username=username, full_name="赵统计", password=PASSWORD)
    org_services.membership_grant(user=user, org=world.county_bureau, role=role)
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, path: Path) -> str:
    with path.open("rb") as fh:
        response = client.post(URL, {"file": SimpleUploadedFile(path.name, fh.read())})
    assert response.status_code == 200
    return response.content.decode()


def _token(page: str) -> str:
    return page.split('name="token" value="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("role", [Role.STATS_VIEWER, Role.ADMIN])
def test_a_statistician_or_administrator_previews_then_imports(
    world: World, tmp_path: Path, role: Role
) -> None:
    client = _client(_user(world, role, f"u-{role}"))
    page = client.get("/statistics/").content.decode()
    assert f'href="{URL}"' in page and "导入原有信访记录" in page
    form = client.get(URL)
    assert form.status_code == 200 and "检查并预览" in form.content.decode()
    preview = _upload(client, write_csv(tmp_path / "export.csv", GOOD_ROWS))
    assert "共 5 行，检查通过 5 行" in preview and "工地拖欠农民工工资" in preview and "尚未写入" in preview
    assert not Case.objects.exists()
    done = client.post(URL, {"token": _token(preview), "name": "export.csv"}).content.decode()
    assert "新导入 5 件" in done and "返回统计分析" in done
    assert ImportedCase.objects.filter(source_file="export.csv").count() == 5


def test_bad_rows_are_all_named_and_block_the_import_unless_skipped(world: World, tmp_path: Path) -> None:
    client = _client(_user(world, Role.STATS_VIEWER, "tongji"))
    rows = [*GOOD_ROWS, *(row for row, _, _ in BAD_ROWS)]
    page = _upload(client, write_csv(tmp_path / "bad.csv", rows))
    assert f"{len(BAD_ROWS)} 行有误" in page
    for _, column, words in BAD_ROWS:
        assert column in page and words in page
    refused = client.post(URL, {"token": _token(page), "name": "bad.csv"}).content.decode()
    assert "未导入任何行" in refused and not Case.objects.exists()
    done = client.post(URL, {"token": _token(page), "name": "bad.csv", "skip_bad": "on"}).content.decode()
    assert "新导入 5 件" in done


def test_a_wrong_file_and_an_expired_upload_are_explained(world: World, tmp_path: Path) -> None:
    client = _client(_user(world, Role.STATS_VIEWER, "tongji"))
    wrong = client.post(URL, {"file": SimpleUploadedFile("export.txt", b"x")}).content.decode()
    assert "只能导入 .csv 或 .xlsx 文件。" in wrong
    gone = client.post(URL, {"token": "0" * 32 + ".csv", "name": "x.csv"}, follow=True)
    assert "上传的文件已失效，请重新上传。" in gone.content.decode()


@pytest.mark.parametrize("role", [Role.REGISTRAR, Role.BUREAU_HEAD])
def test_other_staff_are_refused_with_a_chinese_message(world: World, tmp_path: Path, role: Role) -> None:
    client = _client(_user(world, role, f"u-{role}"))
    assert "导入原有信访记录" not in client.get("/statistics/").content.decode()
    response = client.get(URL)
    assert response.status_code == 403 and REFUSED in response.content.decode()
    with write_csv(tmp_path / "export.csv", GOOD_ROWS).open("rb") as fh:
        posted = client.post(URL, {"file": SimpleUploadedFile("export.csv", fh.read())})
    assert posted.status_code == 403 and not Case.objects.exists()


def test_a_statistician_still_cannot_enter_the_back_office(world: World) -> None:
    client = _client(_user(world, Role.STATS_VIEWER, "tongji"))
    assert client.get("/admin/statistics/importedcase/import/").status_code == 302  # to its login


def test_anonymous_users_go_to_the_login_page(db: None) -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
