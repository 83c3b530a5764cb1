"""The calendar and the rules as rows: seeded, edited, imported, and what the clocks make of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from xinfang.cases.clocks import case_clocks, clock_warnings, due_moment, profile_for, work_calendar
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.tests.helpers import register
from xinfang.deadlines.calendar import WorkCalendar
from xinfang.deadlines.models import CalendarDay, CalendarYear, DataVersion, DeadlineRule
from xinfang.deadlines.profiles import load_profiles
from xinfang.deadlines.selectors import calendar_from_db, current_calendar, profiles_from_db
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Level
from xinfang.testing.world import World

D = dt.date


def test_the_migration_seeds_every_year_chinesecalendar_knows(db: None) -> None:
    assert calendar_from_db() == WorkCalendar.from_chinesecalendar()
    assert CalendarYear.objects.filter(complete=True).count() == len(
        WorkCalendar.from_chinesecalendar().years
    )
    assert CalendarDay.objects.get(date=D(2025, 1, 26)).kind == "workday"  # 春节调休, a Sunday


def test_the_profile_rows_give_the_hearing_clocks_of_the_shipped_file(db: None) -> None:
    # The rows have no column for them: the national one falls back to the statute's list (第三十六条)
    # and the provinces inherit it, which is what data/profiles.json says. A province with a list of
    # its own in the file would make this fail: the rows would then need a column.
    shipped = {code: p.hearing_clocks for code, p in load_profiles().items()}
    assert {code: p.hearing_clocks for code, p in profiles_from_db().items()} == shipped


def test_an_admin_edit_is_seen_by_the_clocks_at_once(db: None) -> None:
    assert work_calendar().is_working_day(D(2025, 3, 3))
    version = DataVersion.current()
    CalendarDay.objects.create(date=D(2025, 3, 3), kind="holiday", name="临时放假")
    assert DataVersion.current() == version + 1
    assert not work_calendar().is_working_day(D(2025, 3, 3))


def test_another_process_edit_is_seen_once_the_version_moves(db: None) -> None:
    current_calendar()  # cached
    CalendarDay.objects.bulk_create([CalendarDay(date=D(2025, 3, 4), kind="holiday")])  # no signal
    assert current_calendar().is_working_day(D(2025, 3, 4))  # same version: the snapshot stands
    DataVersion.bump()
    assert not current_calendar().is_working_day(D(2025, 3, 4))


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD_2099 = """date,kind,name
2099-01-01,holiday,元旦
2099-01-02,holiday,元旦
2099-01-03,holiday,元旦
2099-01-10,workday,元旦
"""


def test_calendar_import_loads_next_years_schedule(db: None, tmp_path: Path) -> None:
    out = _write(tmp_path, "2099.csv", GOOD_2099)
    call_command("calendar_import", "--file", out)
    assert CalendarYear.objects.get(year=2099).complete
    assert work_calendar().knows(2099)
    assert work_calendar().is_makeup_workday(D(2099, 1, 10))
    with pytest.raises(CommandError, match="--replace"):
        call_command("calendar_import", "--file", out)
    call_command("calendar_import", "--file", out, "--replace")
    assert CalendarDay.objects.filter(date__year=2099).count() == 4


def test_calendar_import_names_the_bad_row_and_writes_nothing(db: None, tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.csv", GOOD_2099 + "2099-13-01,holiday,春节\n")
    with pytest.raises(CommandError, match=r"line 6: field 'date'"):
        call_command("calendar_import", "--file", bad)
    weekday = _write(tmp_path, "weekday.csv", GOOD_2099.replace("2099-01-10", "2099-01-05"))
    with pytest.raises(CommandError, match="2099-01-05：调休上班日应为周六或周日"):
        call_command("calendar_import", "--file", weekday)
    assert not CalendarDay.objects.filter(date__year=2099).exists()
    assert not CalendarYear.objects.filter(year=2099).exists()


def test_calendar_import_reads_json(db: None, tmp_path: Path) -> None:
    text = '{"years": [2099], "days": [{"date": "2099-10-01", "kind": "holiday", "name": "国庆节"}]}'
    call_command("calendar_import", "--file", _write(tmp_path, "2099.json", text))
    assert work_calendar().name_of(D(2099, 10, 1)) == "国庆节"


def _zhejiang_region(world: World):  # type: ignore[no-untyped-def]
    province = org_services.region_create(
        code="330000", name="浙江省", level=Level.PROVINCE, parent=world.nation
    )
    return org_services.region_create(code="330100", name="杭州市", level=Level.CITY, parent=province)


def test_a_zhejiang_case_routes_in_5_working_days_across_spring_festival_2025(
    world: World, freeze: Callable[[str], dt.datetime]
) -> None:
    # Registered Friday 24 Jan 2025. 春节: 28 Jan - 4 Feb off; Sun 26 Jan and Sat 8 Feb are 调休 workdays.
    freeze("2025-01-24 16:00")
    zhejiang = register(world, problem_region=_zhejiang_region(world))
    national = register(world)
    assert profile_for(zhejiang).code == "zhejiang"
    route = next(c for c in case_clocks(zhejiang) if c.name == "route")
    # 26 Jan (调休 Sunday) 1, 27 Jan 2, [28 Jan - 4 Feb off], 5 Feb 3, 6 Feb 4, 7 Feb 5
    assert (route.unit, route.due_on) == ("workday", D(2025, 2, 7))
    assert zhejiang.next_due_at == due_moment(D(2025, 2, 7))
    # National: 15 calendar days end on Sat 8 Feb, a 调休 working day, so the period ends there.
    assert national.next_due_at == due_moment(D(2025, 2, 8))


def test_a_year_without_a_schedule_warns_and_counts_weekends_only(
    world: World, freeze: Callable[[str], dt.datetime]
) -> None:
    CalendarYear.objects.filter(year=2025).update(complete=False)
    DataVersion.bump()
    freeze("2025-01-24 16:00")
    case = register(world, problem_region=_zhejiang_region(world))
    route = next(c for c in case_clocks(case) if c.name == "route")
    assert route.missing_years == (2025,)
    assert clock_warnings(case_clocks(case)) == ("2025年节假日安排未导入，按仅周末休息计算（可能不准确）",)


def test_recompute_due_follows_an_edited_rule_without_writing_events(
    world: World, freeze: Callable[[str], dt.datetime]
) -> None:
    freeze("2025-03-03 10:00")
    case = register(world)
    assert case.next_due_at == due_moment(D(2025, 3, 18))
    events = CaseEvent.objects.count()
    rule = DeadlineRule.objects.get(profile__code="national", clock="route")
    rule.length = 10  # an admin shortens the period
    rule.save()
    call_command("recompute_due", "--all-open")
    case.refresh_from_db()
    assert case.next_due_at == due_moment(D(2025, 3, 13))
    assert (CaseEvent.objects.count(), case.version) == (events, 1)


def test_recompute_due_wants_all_open(db: None) -> None:
    with pytest.raises(CommandError, match="--all-open"):
        call_command("recompute_due")


def test_a_henan_region_gets_the_henan_profile(world: World) -> None:
    province = org_services.region_create(
        code="410000", name="河南省", level=Level.PROVINCE, parent=world.nation
    )
    case = register(world, problem_region=province)
    assert profile_for(case).rules["handle"].extension_limit == 60
    assert profile_for(Case.objects.get(pk=register(world).pk)).code == "national"


def test_an_invalid_rule_is_refused_by_the_admin_form_validation(db: None) -> None:
    from django.core.exceptions import ValidationError

    rule = DeadlineRule.objects.get(profile__code="national", clock="handle")
    rule.start_events = "accepted,unknown_event"
    with pytest.raises(ValidationError, match="unknown_event"):
        rule.full_clean()


def test_the_admin_pages_render(admin_client) -> None:  # type: ignore[no-untyped-def]
    for name in ("calendarday", "calendaryear", "policyprofile", "deadlinerule"):
        assert admin_client.get(f"/admin/deadlines/{name}/").status_code == 200
    profile = DeadlineRule.objects.get(profile__code="zhejiang", clock="route").profile_id
    assert admin_client.get(f"/admin/deadlines/policyprofile/{profile}/change/").status_code == 200


def test_the_clocks_a_hearing_stops_are_edited_in_the_back_office(db: None) -> None:
    """The profile row's 听证期间停止计算的期限: empty inherits (national: the 复核 clock, 第三十六条),
    a list replaces it, "none" stops nothing; an unknown clock is refused on the field."""
    from django.core.exceptions import ValidationError

    from xinfang.deadlines.models import PolicyProfile as ProfileRow
    from xinfang.deadlines.selectors import clear_cache, profiles_from_db

    national = ProfileRow.objects.get(code="national")
    assert national.hearing_clocks == ""
    zhejiang = ProfileRow.objects.exclude(code="national").first()
    assert zhejiang is not None
    assert profiles_from_db()[zhejiang.code].hearing_clocks == ("rereview_decide",)
    zhejiang.hearing_clocks = "handle, rereview_decide"
    zhejiang.full_clean()
    zhejiang.save()
    clear_cache()
    assert profiles_from_db()[zhejiang.code].hearing_clocks == ("handle", "rereview_decide")
    national.hearing_clocks = "none"
    national.save()
    assert profiles_from_db()["national"].hearing_clocks == ()
    zhejiang.hearing_clocks = "handle,hearing"
    with pytest.raises(ValidationError) as exc:
        zhejiang.full_clean()
    assert "没有这些期限：hearing" in str(exc.value.message_dict["hearing_clocks"])
