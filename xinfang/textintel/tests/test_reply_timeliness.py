"""Reply timeliness on the reply page follows the case's handle clock (profile, extensions, pauses),
not a fixed 60 days from registration; the CSV command keeps its documented default."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.test import Client

from xinfang.cases import services
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register, to_accepted
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Level, Region
from xinfang.testing.world import World
from xinfang.textintel.reply_quality import DEFAULT_PERIOD_DAYS, score_reply

DRAFT = {
    "outcome": "support",
    "request": "请求督促开发商维修住房墙体开裂问题。",
    "facts": "经现场核查，该住房墙体存在开裂，属于保修范围。",
    "reasons": "开发商应在保修期内承担维修责任，我局已责令开发商于30日内组织维修。",
    "legal_basis": "《建设工程质量管理条例》第四十条",
    "check_reply": "1",
}


def _zhejiang(world: World) -> Region:
    province = org_services.region_create(
        code="330000", name="浙江省", level=Level.PROVINCE, parent=world.nation
    )
    return org_services.region_create(code="330100", name="杭州市", level=Level.CITY, parent=province)


def _timeliness(world: World, case: Case) -> tuple[str, str]:
    client = Client()
    client.force_login(world.handler)
    page = client.post(f"/cases/{case.pk}/act/reply/", DRAFT).content.decode()
    score = re.search(r"及时性\D*?(\d\.\d\d|—)", page)
    assert score is not None, page
    late = re.search(r"答复超期（[^）]*）", page)
    return score.group(1), late.group(0) if late else ""


def test_a_zhejiang_reply_after_45_days_is_late_against_its_30_day_handle_clock(
    world: World, freeze: Callable[[str], dt.datetime]
) -> None:
    freeze("2025-03-03 10:00")
    case = to_accepted(world, register(world, problem_region=_zhejiang(world)))  # handle: 30 days from 3 Mar
    freeze("2025-04-17 10:00")  # 45 days on: timely under the national 60 days, late under 浙江's 30
    assert _timeliness(world, case) == ("0.50", "答复超期（45天，时限30天）")


def test_an_approved_extension_moves_the_period(world: World, freeze: Callable[[str], dt.datetime]) -> None:
    freeze("2025-03-03 10:00")
    case = to_accepted(world, register(world, problem_region=_zhejiang(world)))
    case = services.case_extend(
        actor=world.handler, case=case, days=20, approver=world.approver, reason="情况复杂"
    )
    freeze("2025-04-17 10:00")  # due 22 Apr (30 + 20 days)
    assert _timeliness(world, case) == ("1.00", "")


def test_a_hearing_does_not_count_against_the_period(
    world: World, freeze: Callable[[str], dt.datetime]
) -> None:
    """Where the profile stops the handling clock for a hearing (第三十六条 names only the 复核
    clock; a province may name more: PolicyProfile.hearing_clocks)."""
    from xinfang.deadlines.models import PolicyProfile as ProfileRow
    from xinfang.deadlines.selectors import clear_cache

    ProfileRow.objects.exclude(code="national").filter(regions__startswith="33").update(
        hearing_clocks="handle,rereview_decide"
    )
    clear_cache()
    freeze("2025-03-03 10:00")
    case = to_accepted(world, register(world, problem_region=_zhejiang(world)))
    freeze("2025-03-10 10:00")
    case = services.case_hearing_start(actor=world.handler, case=case, note="组织听证")
    freeze("2025-03-25 10:00")  # 15 days of hearing: due 17 Apr instead of 2 Apr
    case = services.case_hearing_end(actor=world.handler, case=case, conclusion="听证结束")
    freeze("2025-04-17 10:00")
    assert _timeliness(world, case) == ("1.00", "")
    freeze("2025-04-18 10:00")
    assert _timeliness(world, case) == ("0.98", "答复超期（46天，时限45天）")


def test_a_national_case_keeps_its_60_days(world: World, freeze: Callable[[str], dt.datetime]) -> None:
    freeze("2025-03-03 10:00")
    case = to_accepted(world, register(world))
    freeze("2025-04-17 10:00")
    assert _timeliness(world, case) == ("1.00", "")
    # 60 days end on 2 May, inside the 劳动节 holiday (1-5 May 2025): the period runs to Tuesday 6 May.
    freeze("2025-05-17 10:00")  # 75 days: 11 of 64 days late
    assert _timeliness(world, case) == ("0.83", "答复超期（75天，时限64天）")


def test_the_pure_score_takes_the_due_day_and_keeps_a_default_for_the_csv_command() -> None:
    asked, answered = dt.datetime(2025, 3, 3, 10), dt.datetime(2025, 4, 17, 10)
    args: dict[str, Any] = {"title": "住房墙体开裂", "detail": "请求维修。", "reply": "经核查，已责令维修。"}
    assert DEFAULT_PERIOD_DAYS == 60
    assert score_reply(**args, asked_at=asked, answered_at=answered).timeliness == 1.0
    due = score_reply(**args, asked_at=asked, answered_at=answered, due_on=dt.date(2025, 4, 2))
    assert (due.timeliness, due.warnings[-1]) == (0.5, "答复超期（45天，时限30天）")
    on_time = score_reply(**args, asked_at=asked, answered_at=answered, due_on=dt.date(2025, 4, 17))
    assert on_time.timeliness == 1.0
