"""The statistics page's report jobs: listed read-only in the back office, removed when old."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client, override_settings

from xinfang.core.tasks import housekeeping
from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant
from xinfang.statistics.models import ReportJob
from xinfang.testing.clock import beijing
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]
LIST = "/admin/statistics/reportjob/"


def _job(world: World, status: str, *, finished: str | None = None, **fields: object) -> ReportJob:
    return ReportJob.objects.create(
        requested_by=world.bureau_head,
        org=world.city_bureau,
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 6, 30),
        comparison="yoy",
        fmt="docx",
        status=status,
        finished_at=beijing(finished) if finished else None,
        **fields,
    )


def _admin(world: World) -> Client:
    membership_grant(user=world.bureau_head, org=world.city_bureau, role=Role.ADMIN)
    client = Client()
    client.force_login(world.bureau_head)
    return client


def test_housekeeping_removes_finished_and_abandoned_jobs_older_than_the_kept_days(
    world: World, freeze: Freeze
) -> None:
    freeze("2025-03-01 09:00")
    abandoned = _job(world, ReportJob.Status.QUEUED)  # asked for on 03-01, never run
    asked_early = _job(world, ReportJob.Status.DONE, finished="2025-03-09 09:00")  # written late
    freeze("2025-03-02 10:00")
    old_done = _job(world, ReportJob.Status.DONE, finished="2025-03-02 10:00", content=b"x" * 100)
    old_failed = _job(world, ReportJob.Status.FAILED, finished="2025-03-02 10:05", error="失败")
    freeze("2025-03-08 10:00")
    recent = _job(world, ReportJob.Status.DONE, finished="2025-03-08 10:00")
    waiting = _job(world, ReportJob.Status.QUEUED)

    freeze("2025-03-09 10:06")  # seven days and a minute after old_failed finished
    counts = housekeeping.call()
    assert counts["report_jobs"] == 3
    remaining = set(ReportJob.objects.values_list("pk", flat=True))
    assert remaining == {asked_early.pk, recent.pk, waiting.pk}
    assert not {abandoned.pk, old_done.pk, old_failed.pk} & remaining


@override_settings(XINFANG_REPORT_JOB_KEEP_DAYS=30)
def test_the_kept_days_are_a_setting(world: World, freeze: Freeze) -> None:
    freeze("2025-03-01 09:00")
    job = _job(world, ReportJob.Status.DONE, finished="2025-03-01 09:00")
    freeze("2025-03-20 09:00")
    assert housekeeping.call()["report_jobs"] == 0 and ReportJob.objects.filter(pk=job.pk).exists()
    freeze("2025-04-01 09:00")
    assert housekeeping.call()["report_jobs"] == 1 and not ReportJob.objects.exists()


def test_the_back_office_lists_the_jobs_read_only_with_their_files(world: World) -> None:
    client = _admin(world)
    done = _job(
        world, ReportJob.Status.DONE, finished="2025-07-01 10:00", filename="示例市报告.docx", content=b"PK"
    )
    _job(world, ReportJob.Status.FAILED, finished="2025-07-01 10:00", error="报告模板“甲”模板第3行有误")
    page = client.get(LIST).content.decode()
    assert world.city_bureau.name in page and "2025-01-01～2025-06-30" in page
    assert "下载 示例市报告.docx" in page and "模板第3行有误" in page and "已完成" in page and "失败" in page
    assert 'name="_selected_action"' not in page  # no bulk delete
    assert client.get(f"{LIST}add/").status_code == 403
    download = client.get(f"{LIST}{done.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"PK"
    assert "filename*=utf-8''%E7%A4%BA%E4%BE%8B" in download["Content-Disposition"]
    detail = client.get(f"{LIST}{done.pk}/change/")
    assert detail.status_code == 200 and 'name="status"' not in detail.content.decode()  # read-only
    assert client.post(f"{LIST}{done.pk}/delete/").status_code == 403


@pytest.mark.parametrize("status", [ReportJob.Status.QUEUED, ReportJob.Status.FAILED])
def test_a_job_without_a_file_has_no_download(world: World, status: str) -> None:
    client = _admin(world)
    job = _job(world, status)
    assert client.get(f"{LIST}{job.pk}/download/").status_code == 404


def test_other_staff_do_not_see_the_jobs(world: World) -> None:
    client = Client()
    client.force_login(world.registrar)
    assert client.get(LIST).status_code == 302  # to the back office's login
