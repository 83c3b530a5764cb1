"""The report facts (CaseFact): every service keeps the row equal to the one recomputed from the
events, with the figures a report counts worked out by hand here."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from xinfang.cases import services
from xinfang.cases.facts import FACT_FIELDS, CaseInput, fact_values, rebuild_facts, territory_q
from xinfang.cases.models import Case, CaseEvent, CaseFact
from xinfang.cases.tests.helpers import a_reply, register, reply_approved, to_delivered
from xinfang.core.timeutil import local_date, pinned_now
from xinfang.deadlines import selectors as deadline_selectors
from xinfang.deadlines.profiles import DEFAULT_PROFILES_PATH, parse_profiles
from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant
from xinfang.testing.clock import beijing
from xinfang.testing.world import World

Step = Callable[[World, Case], Case]


def stored(case: Case) -> dict[str, Any]:
    return CaseFact.objects.filter(pk=case.pk).values(*FACT_FIELDS).get()


def recomputed(case: Case) -> dict[str, Any]:
    """The row from the case and its whole log, as verify_events and rebuild_case_facts make it."""
    fresh = Case.objects.select_related("problem_region").get(pk=case.pk)
    return fact_values(CaseInput.of(fresh), list(fresh.events.order_by("seq")))


def assert_current(case: Case) -> None:
    assert stored(case) == recomputed(case)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# ---- every service path keeps the row current -------------------------------------------------


def _forward(w: World, c: Case) -> Case:
    return services.case_forward(actor=w.registrar, case=c, to_org=w.city_housing)


def _assign(w: World, c: Case) -> Case:
    return services.case_assign(
        actor=w.registrar, case=c, to_org=w.city_housing, report_due=local_date() + dt.timedelta(days=40)
    )


def _accept(w: World, c: Case) -> Case:
    return services.case_accept(actor=w.handler, case=c)


def _object(w: World, c: Case) -> Case:
    return services.case_object(actor=w.handler, case=c, reasons="不属于本单位职责")


def _assisting(w: World, c: Case) -> Case:
    return services.case_add_assisting(actor=w.handler, case=c, org=w.town_office)


def _extend(w: World, c: Case) -> Case:
    return services.case_extend(actor=w.handler, case=c, days=20, approver=w.approver, reason="需要现场测绘")


def _hearing_start(w: World, c: Case) -> Case:
    return services.case_hearing_start(actor=w.handler, case=c)


def _hearing_end(w: World, c: Case) -> Case:
    return services.case_hearing_end(actor=w.handler, case=c, conclusion="听证认为诉求部分合理")


def _reply(w: World, c: Case) -> Case:
    return reply_approved(actor=w.handler, case=c, reply=a_reply(outcome="explain"))


def _answer(w: World, c: Case) -> Case:
    return services.case_answer(actor=w.registrar, case=c, reply=a_reply())


def _deliver(w: World, c: Case) -> Case:
    # served by whoever replied: the unit, or the bureau that answered itself
    actor = w.registrar if c.current_org_id == w.city_bureau.pk else w.handler
    return services.case_deliver(actor=actor, case=c, method="post")


def _rate_bureau(w: World, c: Case) -> Case:
    return services.case_rate(actor=w.citizen, case=c, track="bureau", value="satisfied")


def _rate_unit(w: World, c: Case) -> Case:
    return services.case_rate(actor=w.citizen, case=c, track="unit", value="dissatisfied", reason="太慢")


def _review(w: World, c: Case) -> Case:
    return services.case_review_request(actor=w.leader, case=c, reasons="不服处理意见")


def _review_decide(w: World, c: Case) -> Case:
    return services.case_review_decide(actor=w.leader, case=c, outcome="change", opinion="部分变更")


def _rereview(w: World, c: Case) -> Case:
    membership_grant(user=w.leader, org=w.province_gov, role=Role.LEADER)
    return services.case_rereview_request(actor=w.leader, case=c, reasons="仍不服")


def _rereview_decide(w: World, c: Case) -> Case:
    return services.case_rereview_decide(actor=w.leader, case=c, outcome="uphold", opinion="维持")


def _terminate(w: World, c: Case) -> Case:
    return services.case_terminate(actor=w.registrar, case=c, reason="petitioner_accepted")


def _decline(w: World, c: Case) -> Case:
    return services.case_decline(actor=w.registrar, case=c, legal_channel="litigation", reasons="应诉讼")


def _attach(w: World, c: Case) -> Case:
    services.case_attach(actor=w.registrar, case=c, name="来信.pdf", content=b"%PDF-1.4 x", pages=1)
    return Case.objects.get(pk=c.pk)


def _supervise(w: World, c: Case) -> Case:
    return services.case_note_supervision(
        actor=w.bureau_head, org=w.city_bureau, case=c, kind="supervised", payload={"note": "督办"}
    )


def _link_repeat(w: World, c: Case) -> Case:
    with pinned_now(c.registered_at - dt.timedelta(days=3)):
        earlier = register(w)
    return services.case_link(actor=w.registrar, case=c, target=earlier, kind="repeat")


WALKS: dict[str, list[Step]] = {
    "appeals to the end": [
        _forward,
        _assisting,
        _accept,
        _extend,
        _hearing_start,
        _hearing_end,
        _reply,
        _deliver,
        _rate_bureau,
        _rate_unit,
        _review,
        _review_decide,
        _rereview,
        _rereview_decide,
    ],
    "answered and terminated": [_answer, _deliver, _rate_unit, _terminate],
    "objected and assigned": [_forward, _object, _assign, _accept, _reply, _deliver],
    "declined": [_attach, _supervise, _decline],
    "repeat noted along the way": [_link_repeat, _forward, _attach, _accept, _supervise],
}


@pytest.mark.parametrize("walk", list(WALKS), ids=list(WALKS))
def test_every_step_keeps_the_fact_row_equal_to_the_recomputed_one(world: World, walk: str) -> None:
    case = register(world, citizen=world.citizen)
    assert_current(case)
    for step in WALKS[walk]:
        case = step(world, case)
        assert_current(case)


def test_an_action_costs_one_statement_on_the_fact_row_and_reads_none(world: World) -> None:
    case = _forward(world, register(world))
    with CaptureQueriesContext(connection) as captured:
        _accept(world, case)
    touching = [q["sql"] for q in captured.captured_queries if "cases_casefact" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith("UPDATE"), touching


# ---- the figures, by hand -------------------------------------------------------------------


def test_a_historic_case_entered_with_pinned_now_carries_its_own_dates(world: World) -> None:
    # Registered on Monday 2024-05-06 about a visit of 2024-05-01; forwarded on the 8th, accepted
    # late on the 30th (15 days from the 8th end on the 23rd), replied on 10 June, served on the 12th.
    with pinned_now(beijing("2024-05-06 09:00")):
        case = register(world, received_on=d("2024-05-01"), citizen=world.citizen)
    with pinned_now(beijing("2024-05-08 10:00")):
        case = _forward(world, case)
    with pinned_now(beijing("2024-05-30 10:00")):
        case = _accept(world, case)
    with pinned_now(beijing("2024-06-10 10:00")):
        case = _reply(world, case)
    with pinned_now(beijing("2024-06-12 16:00")):
        case = _deliver(world, case)
    with pinned_now(beijing("2024-06-13 08:00")):
        case = _rate_bureau(world, case)
    fact = CaseFact.objects.get(pk=case.pk)
    assert (fact.received_on, fact.registered_on) == (d("2024-05-01"), d("2024-05-06"))
    assert (fact.accepted_by_bureau_on, fact.route_due_on) == (d("2024-05-08"), d("2024-05-21"))
    assert (fact.accepted_by_unit_on, fact.accept_due_on) == (d("2024-05-30"), d("2024-05-23"))
    assert fact.accepted_on == d("2024-05-30") and fact.responsible_org_id == world.city_housing.pk
    # 60 days from the 30th of May
    assert (fact.replied_on, fact.handle_due_on, fact.reply_outcome) == (
        d("2024-06-10"),
        d("2024-07-29"),
        "explain",
    )
    assert fact.closed_on == d("2024-06-12") and fact.status == "delivered"
    # the rating window: 7 days from service
    assert fact.rating_due_on == d("2024-06-19")
    assert (fact.bureau_rating, fact.bureau_rated_on) == ("satisfied", d("2024-06-13"))
    assert (fact.unit_rating, fact.unit_rated_on) == ("", None)
    assert_current(case)


def test_a_registration_at_a_city_bureau(world: World) -> None:
    case = register(world, headcount=2, via_proper_ladder=False)
    fact = CaseFact.objects.get(pk=case.pk)
    assert fact.problem_region_id == world.county.pk and fact.problem_region_path == world.county.path
    assert (fact.registered_org_id, fact.registered_level) == (world.city_bureau.pk, "city")
    assert (fact.channel, fact.channel_group, fact.nature) == ("visit", "来访", "appeal")
    assert (fact.category_l1, fact.category_l2) == ("030000", "030100")
    assert (fact.headcount, fact.is_collective, fact.is_skip_level) == (2, False, True)
    assert (fact.visit_level, fact.is_beijing_visit, fact.is_repeat) == ("city", False, False)
    assert fact.status == "registered" and fact.accepted_on is None and fact.closed_on is None


def test_a_collective_visit_begins_exactly_at_the_threshold(world: World, settings: Any) -> None:
    settings.XINFANG_COLLECTIVE_THRESHOLD = 5
    four, five = register(world, headcount=4), register(world, headcount=5)
    letter = register(world, headcount=5, channel="letter")
    assert [CaseFact.objects.get(pk=c.pk).is_collective for c in (four, five, letter)] == [False, True, False]
    assert CaseFact.objects.get(pk=letter.pk).visit_level == ""


def test_a_repeat_petition_and_the_first_one(world: World) -> None:
    first = register(world)
    second = services.case_link(actor=world.registrar, case=register(world), target=first, kind="repeat")
    assert CaseFact.objects.get(pk=first.pk).is_repeat is False
    fact = CaseFact.objects.get(pk=second.pk)
    assert (fact.is_repeat, fact.repeat_of_id) == (True, first.pk)
    third = services.case_link(actor=world.registrar, case=register(world), target=second, kind="duplicate")
    assert CaseFact.objects.get(pk=third.pk).duplicate_of_id == second.pk  # the master


def test_declined_and_refused_again_close_the_matter_with_their_reason(world: World) -> None:
    case = _decline(world, register(world))
    fact = CaseFact.objects.get(pk=case.pk)
    assert (fact.declined, fact.declined_reason, fact.status) == ("declined", "litigation", "declined")
    assert fact.closed_on == fact.registered_on and fact.accepted_on is None
    # the route clock is met by the decision (第二十二条): the bureau dealt with it in time
    assert fact.accepted_by_bureau_on == fact.registered_on

    earlier = to_delivered(world)
    for step in (_review, _review_decide, _rereview, _rereview_decide):
        earlier = step(world, earlier)
    fact = CaseFact.objects.get(pk=earlier.pk)
    assert (fact.review_outcome, fact.rereview_outcome) == ("change", "uphold")
    assert fact.review_requested_on and fact.rereview_requested_on
    assert (fact.status, fact.termination_reason) == ("terminated", "rereview_decided")
    again = services.case_refuse_again(
        actor=world.registrar, case=register(world), earlier=earlier, reasons="同一事实和理由"
    )
    fact = CaseFact.objects.get(pk=again.pk)
    assert (fact.declined, fact.declined_reason) == ("refused_again", "")
    assert (fact.is_repeat, fact.repeat_of_id, fact.status) == (True, earlier.pk, "refused_again")
    assert fact.closed_on is not None


def test_a_clock_in_a_hearing_has_no_due_date_until_it_resumes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _accept(world, _forward(world, register(world)))
    due = CaseFact.objects.get(pk=case.pk).handle_due_on
    assert due is not None
    # The national profile does not stop the handling clock for a hearing (only 复核, 第三十六条) ...
    case = _hearing_end(world, _hearing_start(world, case))
    assert CaseFact.objects.get(pk=case.pk).handle_due_on == due
    # ... a profile that names it does.
    data = json.loads(DEFAULT_PROFILES_PATH.read_text(encoding="utf-8"))
    data["profiles"][0]["hearing_clocks"] = ["handle", "rereview_decide"]
    monkeypatch.setattr(deadline_selectors, "profiles_from_db", lambda: parse_profiles(data))
    deadline_selectors.clear_cache()
    case = _hearing_start(world, case)
    assert CaseFact.objects.get(pk=case.pk).handle_due_on is None
    assert recomputed(case)["handle_due_on"] is None
    case = _hearing_end(world, case)
    assert CaseFact.objects.get(pk=case.pk).handle_due_on == due  # paused and resumed the same day


def test_a_national_visit_is_a_beijing_visit(world: World) -> None:
    base = CaseInput.of(Case.objects.select_related("problem_region").get(pk=register(world).pk))
    events = list(CaseEvent.objects.filter(case_id=base.pk).order_by("seq"))
    for level, beijing_visit in [("national", True), ("province", False), ("county", False)]:
        values = fact_values(replace(base, registered_level=level), events)
        assert (values["visit_level"], values["is_beijing_visit"]) == (level, beijing_visit)
    letter = fact_values(replace(base, registered_level="national", channel="letter"), events)
    assert (letter["visit_level"], letter["is_beijing_visit"]) == ("", False)


def test_a_territory_is_a_prefix_of_the_region_path(world: World) -> None:
    here = register(world)
    town = register(world, problem_region=world.town)
    elsewhere = register(world, problem_region=world.other_county)

    def ids(path: str) -> set[int]:
        return set(CaseFact.objects.filter(territory_q(path)).values_list("pk", flat=True))

    assert ids(world.county.path) == {here.pk, town.pk}
    assert ids(world.city.path) == {here.pk, town.pk, elsewhere.pk}
    assert set(
        Case.objects.filter(territory_q(world.county.path, prefix="report_fact__")).values_list(
            "pk", flat=True
        )
    ) == {
        here.pk,
        town.pk,
    }


# ---- rebuilding and verifying -----------------------------------------------------------------


def test_the_integrity_check_names_a_tampered_fact_row(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    case = to_delivered(world)
    call_command("verify_events")
    CaseFact.objects.filter(pk=case.pk).update(headcount=9, closed_on=None)
    with pytest.raises(CommandError, match="发现 2 处"):
        call_command("verify_events")
    err = capsys.readouterr().err
    assert "统计事实“信访人数”为 9，按办理记录应为 1" in err
    assert "统计事实“办结日期”为 None" in err
    call_command("verify_events", "--no-facts")  # the log and the projection are intact
    call_command("rebuild_case_facts")
    call_command("verify_events")
    assert_current(case)


def test_a_missing_fact_row_is_named_and_rebuilt(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    case = register(world)
    CaseFact.objects.filter(pk=case.pk).delete()
    with pytest.raises(CommandError, match="发现 1 处"):
        call_command("verify_events", "--case", case.number)
    assert "缺少统计事实记录" in capsys.readouterr().err
    call_command("rebuild_case_facts", "--case", case.number)
    assert "重建了 1 件" in capsys.readouterr().out
    assert_current(case)
    with pytest.raises(CommandError, match="不存在"):
        call_command("rebuild_case_facts", "--case", "NOPE")


def test_a_changed_threshold_is_named_with_the_remedy(
    world: World, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.XINFANG_COLLECTIVE_THRESHOLD = 5
    case = register(world, headcount=5)
    settings.XINFANG_COLLECTIVE_THRESHOLD = 6
    with pytest.raises(CommandError, match="发现 1 处"):
        call_command("verify_events")
    assert "集体访人数标准后，请运行 rebuild_case_facts" in capsys.readouterr().err
    call_command("rebuild_case_facts")
    assert CaseFact.objects.get(pk=case.pk).is_collective is False
    call_command("verify_events")


def test_a_service_writes_a_row_for_a_case_that_had_none(world: World) -> None:
    case = register(world)
    CaseFact.objects.all().delete()
    case = _forward(world, case)
    assert_current(case)


def test_rebuild_in_chunks_gives_every_case_its_row(world: World) -> None:
    cases = [to_delivered(world), _decline(world, register(world)), register(world, headcount=7)]
    before = {c.pk: stored(c) for c in cases}
    CaseFact.objects.all().delete()
    result = rebuild_facts(chunk=2)
    assert (result.cases, result.failed) == (3, 0)
    assert {c.pk: stored(c) for c in cases} == before


def test_the_data_migration_builds_rows_with_the_historical_models(world: World) -> None:
    from importlib import import_module

    case = to_delivered(world)
    before = stored(case)
    CaseFact.objects.all().delete()
    apps = MigrationExecutor(connection).loader.project_state(("cases", "0005_case_facts")).apps
    import_module("xinfang.cases.migrations.0005_case_facts").fill_facts(apps, None)
    assert stored(case) == before


def test_the_first_repeat_date_follows_the_repeats_links(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    with pinned_now(beijing("2025-03-03 09:00")):
        first = register(world)
    with pinned_now(beijing("2025-03-20 09:00")):
        later = services.case_link(actor=world.registrar, case=register(world), target=first, kind="repeat")
    assert CaseFact.objects.get(pk=first.pk).first_repeat_on == dt.date(2025, 3, 20)
    with pinned_now(beijing("2025-03-25 09:00")):
        other = services.case_link(actor=world.registrar, case=register(world), target=first, kind="repeat")
        assert CaseFact.objects.get(pk=first.pk).first_repeat_on == dt.date(2025, 3, 20)  # still the first
        # the first repeat turns out to be a duplicate of the other: the date moves to the other's
        services.case_link(actor=world.registrar, case=later, target=other, kind="duplicate")
    assert CaseFact.objects.get(pk=first.pk).first_repeat_on == dt.date(2025, 3, 25)
    assert CaseFact.objects.get(pk=other.pk).first_repeat_on is None
    call_command("verify_events")
    CaseFact.objects.filter(pk=first.pk).update(first_repeat_on=dt.date(2025, 3, 21))
    with pytest.raises(CommandError, match="发现 1 处"):
        call_command("verify_events")
    assert "统计事实“首次重复信访日期”为 datetime.date(2025, 3, 21)" in capsys.readouterr().err
    call_command("rebuild_case_facts")
    call_command("verify_events")
    assert CaseFact.objects.get(pk=first.pk).first_repeat_on == dt.date(2025, 3, 25)


def test_the_migration_fills_the_first_repeat_dates(world: World) -> None:
    from importlib import import_module

    first = register(world)
    services.case_link(actor=world.registrar, case=register(world), target=first, kind="repeat")
    expected = CaseFact.objects.get(pk=first.pk).first_repeat_on
    assert expected is not None
    CaseFact.objects.update(first_repeat_on=None)
    apps = MigrationExecutor(connection).loader.project_state(("cases", "0006_fact_first_repeat")).apps
    import_module("xinfang.cases.migrations.0006_fact_first_repeat").fill_first_repeats(apps, None)
    assert CaseFact.objects.get(pk=first.pk).first_repeat_on == expected


def test_a_calendar_edit_queues_a_rebuild_of_the_due_dates(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from xinfang.cases.tasks import follow_deadline_rules
    from xinfang.deadlines.models import CalendarDay, DataVersion

    with pinned_now(beijing("2025-03-03 09:00")):
        case = register(world)
    due = CaseFact.objects.get(pk=case.pk).route_due_on
    assert due is not None
    with django_capture_on_commit_callbacks(execute=True):
        CalendarDay.objects.create(date=due, kind="holiday", name="测试假日")
    queued = DBTaskResult.objects.filter(task_path="xinfang.cases.tasks.follow_deadline_rules")
    assert queued.count() == 1
    assert queued.get().args_kwargs["args"] == [DataVersion.current()]
    assert CaseFact.objects.get(pk=case.pk).route_due_on == due  # not yet: the worker runs it
    assert follow_deadline_rules.call(DataVersion.current() - 1)["skipped"] == 1  # a later edit queued
    assert CaseFact.objects.get(pk=case.pk).route_due_on == due
    assert follow_deadline_rules.call(DataVersion.current())["cases"] == 1
    assert CaseFact.objects.get(pk=case.pk).route_due_on > due  # the holiday moved the due day
    call_command("verify_events")
