"""信访听证, the services: who may act on which case, the order of the steps, the date rules, one
open hearing per case, the participants a session needs, and the case's pause through the case
services. The clocks' arithmetic is in test_hearings_clocks.py, the documents in
test_hearings_documents.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from xinfang.cases import services as case_services
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register, to_accepted, to_delivered
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import local_date, now
from xinfang.leadership.models.hearings import Hearing, HearingParticipant, HearingStatus
from xinfang.leadership.selectors.hearings import (
    case_hearings,
    hearing_detail,
    hearings_visible_to,
    participants_by_role,
)
from xinfang.leadership.services import hearings as svc
from xinfang.orgs.models import Role, User
from xinfang.orgs.services import membership_grant
from xinfang.testing.world import World

DAY = dt.timedelta(days=1)


# ---------------------------------------------------------------- builders


def applied(world: World, case: Case | None = None, *, actor: User | None = None) -> Hearing:
    return svc.hearing_start(
        actor=actor or world.handler,
        case=case or to_accepted(world),
        origin="applied",
        applied_on=local_date(),
        application="信访人申请就房屋维修责任举行听证。",
    )


def decided(world: World, case: Case | None = None, *, actor: User | None = None) -> Hearing:
    return svc.hearing_start(
        actor=actor or world.handler,
        case=case or to_accepted(world),
        origin="decided",
        decided_on=local_date(),
        decision="事项复杂、争议较大，决定举行听证。",
    )


def announced(world: World, hearing: Hearing | None = None, *, at: dt.datetime | None = None) -> Hearing:
    return svc.hearing_announce(
        actor=world.handler,
        hearing=hearing or decided(world),
        announced_on=local_date(),
        announcement="定于近日就该信访事项举行听证，欢迎群众代表旁听。",
        scheduled_at=at or now(),
        venue="市住房和城乡建设局三楼会议室",
    )


def with_parties(world: World, hearing: Hearing) -> Hearing:
    svc.hearing_add_participant(
        actor=world.handler, hearing=hearing, role="host", name="周主持", affiliation="市住建局"
    )
    svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="petitioner", name="张三")
    return hearing


def in_session(world: World, hearing: Hearing | None = None) -> Hearing:
    hearing = with_parties(world, hearing or announced(world))
    return svc.hearing_open(actor=world.handler, hearing=hearing, started_on=local_date())


def concluded(world: World) -> Hearing:
    hearing = in_session(world)
    return svc.hearing_conclude(
        actor=world.handler,
        hearing=hearing,
        conclusion="诉求部分合理，开发商应予维修。",
        ended_on=local_date(),
    )


def field_of(exc: pytest.ExceptionInfo[ServiceError]) -> str | None:
    return exc.value.field


def in_review(world: World) -> Case:
    """A case in 复查 at the city government (the reviewing organ holds it now)."""
    case = to_delivered(world)
    return case_services.case_review_request(actor=world.leader, case=case, reasons="对处理意见不服")


def in_rereview(world: World) -> Case:
    case = case_services.case_review_decide(
        actor=world.leader, case=in_review(world), outcome="uphold", opinion="维持。"
    )
    membership_grant(user=world.leader, org=world.province_gov, role=Role.LEADER)
    return case_services.case_rereview_request(actor=world.leader, case=case, reasons="仍然不服")


# ---------------------------------------------------------------- start: two origins


def test_an_application_is_recorded_by_staff_of_the_organ_holding_the_case(world: World) -> None:
    case = to_accepted(world)
    hearing = applied(world, case)
    assert (hearing.status, hearing.origin, hearing.org, hearing.case) == (
        "applied",
        "applied",
        world.city_housing,
        case,
    )
    assert hearing.applied_on == local_date() and hearing.application.startswith("信访人申请")
    assert [e.kind for e in hearing.events.all()] == ["applied"]


def test_the_organ_may_decide_to_hold_a_hearing_itself(world: World) -> None:
    hearing = decided(world, actor=world.approver)
    assert (hearing.status, hearing.origin, hearing.decided_on) == ("decided", "decided", local_date())
    assert hearing.created_by == world.approver


def test_an_unknown_origin_names_the_field(world: World) -> None:
    with pytest.raises(ServiceError) as exc:
        svc.hearing_start(actor=world.handler, case=to_accepted(world), origin="asked")
    assert field_of(exc) == "origin"


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"applied_on": None}, "applied_on", "请填写申请日期"),
        ({"applied_on": "2025-01-01"}, "applied_on", "请填写申请日期"),
        ({"applied_on": local_date() + DAY}, "applied_on", "申请日期不能晚于今天"),
        ({"applied_on": local_date() - dt.timedelta(days=400)}, "applied_on", "申请日期不能早于信访日期"),
        ({"application": "  "}, "application", "请填写申请事项和理由"),
    ],
)
def test_an_application_needs_its_date_and_text(world: World, kwargs: dict, field: str, message: str) -> None:
    args = {"applied_on": local_date(), "application": "申请听证", **kwargs}
    with pytest.raises(ServiceError, match=message) as exc:
        svc.hearing_start(actor=world.handler, case=to_accepted(world), origin="applied", **args)
    assert field_of(exc) == field
    assert not Hearing.objects.exists()


def test_a_decision_needs_its_date_and_text(world: World) -> None:
    case = to_accepted(world)
    with pytest.raises(ServiceError, match="决定日期不能晚于今天") as exc:
        svc.hearing_start(
            actor=world.handler, case=case, origin="decided", decided_on=local_date() + DAY, decision="x"
        )
    assert field_of(exc) == "decided_on"
    with pytest.raises(ServiceError, match="请填写决定意见") as exc:
        svc.hearing_start(actor=world.handler, case=case, origin="decided", decided_on=local_date())
    assert field_of(exc) == "decision"


# ---------------------------------------------------------------- start: who and which case


def test_staff_without_a_hearing_role_in_the_organ_holding_the_case_may_not_start_one(world: World) -> None:
    case = to_accepted(world)
    # the city bureau's registrar and head see the case but do not hold it
    for outsider in (world.registrar, world.bureau_head):
        with pytest.raises(NotAllowed) as exc:
            decided(world, case, actor=outsider)
        assert field_of(exc) == "org"
    # the city government's leader sees it too, but is no leader of the department handling it
    with pytest.raises(NotAllowed):
        decided(world, case, actor=world.leader)
    membership_grant(user=world.leader, org=world.city_housing, role=Role.LEADER)
    assert decided(world, case, actor=world.leader).org == world.city_housing


def test_a_user_who_cannot_see_the_case_is_refused_before_anything_else(world: World) -> None:
    case = to_accepted(world)
    membership_grant(user=world.other_clerk, org=world.other_county_labour, role=Role.APPROVER)
    with pytest.raises(NotAllowed, match="无权查看信访件") as exc:
        decided(world, case, actor=world.other_clerk)
    assert field_of(exc) == "case"


def test_an_organ_other_than_the_one_holding_the_case_or_reviewing_it_is_refused(world: World) -> None:
    case = to_accepted(world)
    with pytest.raises(ServiceError, match="不能由示例市信访局组织") as exc:
        svc.hearing_start(
            actor=world.bureau_head,
            case=case,
            origin="decided",
            org=world.city_bureau,
            decided_on=local_date(),
            decision="x",
        )
    assert field_of(exc) == "org"


def test_in_review_the_reviewing_organ_holds_the_hearing(world: World) -> None:
    case = in_review(world)
    assert case.review_org == world.city_gov
    hearing = decided(world, case, actor=world.leader)
    assert hearing.org == world.city_gov
    # the department that handled it no longer holds the case
    with pytest.raises(NotAllowed):
        svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="host", name="周主持")


def test_a_closed_case_has_no_hearing(world: World) -> None:
    case = case_services.case_decline(
        actor=world.bureau_head, case=register(world), reasons="属于诉讼事项", legal_channel="litigation"
    )
    assert case.closed_at is not None
    with pytest.raises(InvalidState, match="已办结") as exc:
        decided(world, case, actor=world.bureau_head)
    assert field_of(exc) == "case"


def test_a_hearing_is_held_while_the_case_is_handled_or_reviewed_not_before(world: World) -> None:
    case = register(world)  # 待交转 at the bureau
    with pytest.raises(InvalidState, match="听证在办理、复查或复核期间组织") as exc:
        decided(world, case, actor=world.bureau_head)
    assert field_of(exc) == "case"
    assert {"accepted", "reviewing", "rereviewing"} == svc.CASE_STAGES


def test_one_open_hearing_per_case(world: World) -> None:
    case = to_accepted(world)
    first = applied(world, case)
    with pytest.raises(ServiceError, match="已有未结束的听证") as exc:
        decided(world, case)
    assert (field_of(exc), exc.value.code) == ("case", "conflict")
    # a refused application ends it: the next one may be started
    svc.hearing_refuse(actor=world.handler, hearing=first, decided_on=local_date(), reason="不符合听证条件")
    second = decided(world, case)
    # and the database says the same, whatever a caller does
    with pytest.raises(IntegrityError), transaction.atomic():
        Hearing.objects.create(
            case=case, org=second.org, origin="decided", status="announced", created_by=world.handler
        )


# ---------------------------------------------------------------- the decision on an application


def test_an_application_is_accepted_with_a_dated_decision(world: World) -> None:
    hearing = applied(world)
    with pytest.raises(ServiceError, match="决定日期不能早于申请日期") as exc:
        svc.hearing_accept(
            actor=world.handler, hearing=hearing, decided_on=local_date() - DAY, decision="同意"
        )
    assert field_of(exc) == "decided_on"
    with pytest.raises(ServiceError, match="请填写决定意见") as exc:
        svc.hearing_accept(actor=world.handler, hearing=hearing, decided_on=local_date(), decision="")
    assert field_of(exc) == "decision"
    hearing = svc.hearing_accept(
        actor=world.approver, hearing=hearing, decided_on=local_date(), decision="同意听证"
    )
    assert (hearing.status, hearing.decision) == ("decided", "同意听证")
    with pytest.raises(InvalidState, match="听证状态为“决定听证”，不能同意听证申请") as exc:
        svc.hearing_accept(actor=world.handler, hearing=hearing, decided_on=local_date(), decision="同意")
    assert field_of(exc) == "status"


def test_a_refused_application_ends_the_hearing_with_its_reasons(world: World) -> None:
    hearing = applied(world)
    with pytest.raises(ServiceError, match="请填写不予听证的理由") as exc:
        svc.hearing_refuse(actor=world.handler, hearing=hearing, decided_on=local_date(), reason=" ")
    assert field_of(exc) == "reason"
    hearing = svc.hearing_refuse(
        actor=world.handler, hearing=hearing, decided_on=local_date(), reason="事实清楚，无需听证"
    )
    assert (hearing.status, hearing.decision) == ("refused", "事实清楚，无需听证")
    for step in (
        lambda: announced(world, hearing),
        lambda: svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="host", name="周"),
        lambda: svc.hearing_withdraw(
            actor=world.handler, hearing=hearing, withdrawn_on=local_date(), reason="x"
        ),
    ):
        with pytest.raises(InvalidState, match="不予听证"):
            step()


def test_a_decided_hearing_needs_no_second_decision(world: World) -> None:
    with pytest.raises(InvalidState):
        svc.hearing_refuse(actor=world.handler, hearing=decided(world), decided_on=local_date(), reason="x")


def test_only_the_hearings_organ_takes_its_steps(world: World) -> None:
    hearing = applied(world)
    for outsider in (world.registrar, world.bureau_head, world.leader):
        with pytest.raises(NotAllowed):
            svc.hearing_accept(actor=outsider, hearing=hearing, decided_on=local_date(), decision="同意")
    with pytest.raises(NotAllowed):
        svc.hearing_accept(actor=world.other_clerk, hearing=hearing, decided_on=local_date(), decision="同意")


# ---------------------------------------------------------------- announcement


def test_an_application_must_be_decided_before_it_is_announced(world: World) -> None:
    with pytest.raises(InvalidState, match="听证状态为“已申请”，不能发布听证公告"):
        announced(world, applied(world))


def test_the_announcement_names_a_time_today_or_later_and_a_venue(world: World) -> None:
    hearing = decided(world)
    base = {
        "actor": world.handler,
        "hearing": hearing,
        "announced_on": local_date(),
        "announcement": "公告",
        "scheduled_at": now() + dt.timedelta(days=7),
        "venue": "三楼会议室",
    }
    cases = [
        ({"scheduled_at": now() - dt.timedelta(days=1)}, "scheduled_at", "听证时间不能早于今天"),
        ({"scheduled_at": None}, "scheduled_at", "请填写听证时间"),
        ({"scheduled_at": local_date()}, "scheduled_at", "请填写听证时间"),
        ({"announced_on": local_date() + DAY}, "announced_on", "公告日期不能晚于今天"),
        ({"announced_on": local_date() - DAY}, "announced_on", "公告日期不能早于决定日期"),
        ({"venue": ""}, "venue", "请填写听证地点"),
        ({"venue": "会" * 129}, "venue", "听证地点不能超过 128 个字"),
        ({"announcement": ""}, "announcement", "请填写公告内容"),
    ]
    for change, field, message in cases:
        with pytest.raises(ServiceError, match=message) as exc:
            svc.hearing_announce(**{**base, **change})
        assert field_of(exc) == field, change
    hearing = svc.hearing_announce(**{**base, "scheduled_at": now()})  # today is fine
    assert hearing.status == "announced" and hearing.venue == "三楼会议室"


def test_a_naive_time_is_taken_as_beijing_time_and_a_hearing_may_be_moved(world: World) -> None:
    hearing = announced(world)
    later = dt.datetime.combine(local_date() + dt.timedelta(days=3), dt.time(9, 30))
    hearing = svc.hearing_announce(
        actor=world.handler,
        hearing=hearing,
        announced_on=local_date(),
        announcement="改期公告",
        scheduled_at=later,
        venue="市政府二号会议室",
    )
    hearing.refresh_from_db()
    assert hearing.scheduled_at == later.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert [e.payload["again"] for e in hearing.events.filter(kind="announced")] == [False, True]


# ---------------------------------------------------------------- participants


def test_participants_are_listed_by_role_and_checked(world: World) -> None:
    hearing = decided(world)
    with pytest.raises(ServiceError, match="参加人身份应为") as exc:
        svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="judge", name="某")
    assert field_of(exc) == "role"
    with pytest.raises(ServiceError, match="请填写参加人姓名") as exc:
        svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="panel", name=" ")
    assert field_of(exc) == "name"
    with pytest.raises(ServiceError, match="单位或职务不能超过") as exc:
        svc.hearing_add_participant(
            actor=world.handler, hearing=hearing, role="panel", name="某", affiliation="x" * 129
        )
    assert field_of(exc) == "affiliation"
    for role, name in [
        ("npc_deputy", "人大代表甲"),
        ("host", "周主持"),
        ("cppcc_member", "政协委员乙"),
        ("petitioner", "张三"),
        ("lawyer", "律师丙"),
    ]:
        svc.hearing_add_participant(actor=world.handler, hearing=hearing, role=role, name=name)
    with pytest.raises(ServiceError, match="只设一名主持人") as exc:
        svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="host", name="另一主持")
    assert field_of(exc) == "role"
    with pytest.raises(ServiceError, match="张三已是本次听证的信访人") as exc:
        svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="petitioner", name="张三")
    assert field_of(exc) == "name"
    assert [(label, [p.name for p in people]) for label, people in participants_by_role(hearing)] == [
        ("主持人", ["周主持"]),
        ("信访人", ["张三"]),
        ("人大代表", ["人大代表甲"]),
        ("政协委员", ["政协委员乙"]),
        ("律师", ["律师丙"]),
    ]
    lawyer = hearing.participants.get(role="lawyer")
    svc.hearing_remove_participant(actor=world.handler, hearing=hearing, participant=lawyer)
    assert not HearingParticipant.objects.filter(pk=lawyer.pk).exists()
    with pytest.raises(ServiceError, match="不在本次听证的名单中") as exc:
        svc.hearing_remove_participant(actor=world.handler, hearing=hearing, participant=lawyer)
    assert field_of(exc) == "participant"


def test_a_participant_of_another_hearing_cannot_be_removed_here(world: World) -> None:
    hearing = decided(world)
    other = decided(world)
    person = svc.hearing_add_participant(actor=world.handler, hearing=other, role="panel", name="某")
    with pytest.raises(ServiceError, match="不在本次听证的名单中"):
        svc.hearing_remove_participant(actor=world.handler, hearing=hearing, participant=person)


def test_no_participant_changes_once_concluded(world: World) -> None:
    hearing = concluded(world)
    with pytest.raises(InvalidState, match="已作出结论"):
        svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="public", name="群众代表")
    with pytest.raises(InvalidState):
        svc.hearing_remove_participant(
            actor=world.handler, hearing=hearing, participant=hearing.participants.first()
        )


# ---------------------------------------------------------------- the session


def test_a_session_needs_a_host_and_the_petitioners_side(world: World) -> None:
    hearing = announced(world)
    with pytest.raises(ServiceError, match="请先确定听证主持人") as exc:
        svc.hearing_open(actor=world.handler, hearing=hearing, started_on=local_date())
    assert field_of(exc) == "participants"
    svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="host", name="周主持")
    svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="unit", name="开发商代表")
    with pytest.raises(ServiceError, match="请先登记参加听证的信访人或信访人代表") as exc:
        svc.hearing_open(actor=world.handler, hearing=hearing, started_on=local_date())
    assert field_of(exc) == "participants"
    svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="representative", name="李代表")
    hearing = svc.hearing_open(actor=world.handler, hearing=hearing, started_on=local_date())
    assert hearing.status == "in_session"


def test_opening_the_session_pauses_the_case_through_the_case_services(world: World) -> None:
    hearing = in_session(world)
    case = Case.objects.get(pk=hearing.case_id)
    assert case.paused and hearing.started_on == local_date()
    started = case.events.get(kind="hearing_started")
    assert started.payload["clocks"] == ["rereview_decide"]
    assert started.org == world.city_housing and started.actor == world.handler


def test_a_session_opens_only_once_announced_and_not_before_the_announced_day(world: World) -> None:
    hearing = with_parties(world, decided(world))
    with pytest.raises(InvalidState, match="听证状态为“决定听证”，不能开始听证"):
        svc.hearing_open(actor=world.handler, hearing=hearing, started_on=local_date())
    hearing = announced(world, hearing, at=now() + dt.timedelta(days=3))
    with pytest.raises(ServiceError, match="听证开始日期不能早于公告的听证日期") as exc:
        svc.hearing_open(actor=world.handler, hearing=hearing, started_on=local_date())
    assert field_of(exc) == "started_on"
    hearing = announced(world, hearing)
    with pytest.raises(ServiceError, match="听证开始日期不能晚于今天") as exc:
        svc.hearing_open(actor=world.handler, hearing=hearing, started_on=local_date() + DAY)
    assert field_of(exc) == "started_on"
    assert not Case.objects.get(pk=hearing.case_id).paused  # nothing half-written


def test_a_case_already_in_a_hearing_from_the_case_page_cannot_open_another(world: World) -> None:
    hearing = with_parties(world, announced(world))
    case_services.case_hearing_start(actor=world.handler, case=hearing.case)
    with pytest.raises(InvalidState, match="本件已在听证中"):
        svc.hearing_open(actor=world.handler, hearing=hearing, started_on=local_date())
    hearing.refresh_from_db()
    assert hearing.status == "announced"


def test_the_host_and_the_last_of_the_petitioners_side_stay_during_the_session(world: World) -> None:
    hearing = in_session(world)
    host = hearing.participants.get(role="host")
    petitioner = hearing.participants.get(role="petitioner")
    with pytest.raises(InvalidState, match="不能移除主持人"):
        svc.hearing_remove_participant(actor=world.handler, hearing=hearing, participant=host)
    with pytest.raises(InvalidState, match="须至少保留一名信访人或信访人代表"):
        svc.hearing_remove_participant(actor=world.handler, hearing=hearing, participant=petitioner)
    svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="representative", name="李代表")
    svc.hearing_remove_participant(actor=world.handler, hearing=hearing, participant=petitioner)
    svc.hearing_add_participant(actor=world.handler, hearing=hearing, role="expert", name="王专家")


def test_the_record_is_written_during_the_session_only(world: World) -> None:
    hearing = announced(world)
    with pytest.raises(InvalidState, match="不能记录听证过程"):
        svc.hearing_record(actor=world.handler, hearing=hearing, statement="x")
    hearing = in_session(world, hearing)
    hearing = svc.hearing_record(
        actor=world.handler, hearing=hearing, statement="信访人陈述了诉求。", debate="双方辩论。"
    )
    hearing = svc.hearing_record(actor=world.handler, hearing=hearing, questioning="主持人询问了开发商。")
    hearing.refresh_from_db()
    assert (hearing.statement, hearing.questioning, hearing.debate, hearing.deliberation) == (
        "信访人陈述了诉求。",
        "主持人询问了开发商。",
        "双方辩论。",
        "",
    )
    with pytest.raises(ServiceError, match="评议不能超过 20000 个字") as exc:
        svc.hearing_record(actor=world.handler, hearing=hearing, deliberation="评" * 20001)
    assert field_of(exc) == "deliberation"
    assert [e.payload["parts"] for e in hearing.events.filter(kind="recorded")] == [
        ["statement", "debate"],
        ["questioning"],
    ]


def test_a_hearing_cannot_end_before_it_starts_nor_in_the_future(world: World) -> None:
    hearing = in_session(world)
    with pytest.raises(ServiceError, match="听证不能在开始之前结束") as exc:
        svc.hearing_conclude(
            actor=world.handler, hearing=hearing, conclusion="结论", ended_on=local_date() - DAY
        )
    assert field_of(exc) == "ended_on"
    with pytest.raises(ServiceError, match="听证结束日期不能晚于今天") as exc:
        svc.hearing_conclude(
            actor=world.handler, hearing=hearing, conclusion="结论", ended_on=local_date() + DAY
        )
    assert field_of(exc) == "ended_on"
    with pytest.raises(ServiceError, match="请填写听证结论") as exc:
        svc.hearing_conclude(actor=world.handler, hearing=hearing, conclusion="", ended_on=local_date())
    assert field_of(exc) == "conclusion"
    assert Case.objects.get(pk=hearing.case_id).paused  # still in the hearing


def test_the_conclusion_resumes_the_case_through_the_case_services(world: World) -> None:
    hearing = concluded(world)
    assert (hearing.status, hearing.ended_on) == ("concluded", local_date())
    case = Case.objects.get(pk=hearing.case_id)
    assert not case.paused
    assert case.events.get(kind="hearing_ended").payload["conclusion"] == "诉求部分合理，开发商应予维修。"
    with pytest.raises(InvalidState, match="不能作出听证结论"):
        svc.hearing_conclude(actor=world.handler, hearing=hearing, conclusion="x", ended_on=local_date())


def test_a_session_ended_from_the_case_page_may_still_be_concluded(world: World) -> None:
    hearing = in_session(world)
    case_services.case_hearing_end(actor=world.handler, case=hearing.case, conclusion="已在信访件页面结束")
    hearing = svc.hearing_conclude(
        actor=world.handler, hearing=hearing, conclusion="结论", ended_on=local_date()
    )
    assert hearing.status == "concluded"
    assert hearing.events.get(kind="concluded").payload["case_resumed_before"] is True
    assert Case.objects.get(pk=hearing.case_id).events.filter(kind="hearing_ended").count() == 1


def test_the_conclusion_comes_after_the_session_not_before(world: World) -> None:
    hearing = with_parties(world, announced(world))
    with pytest.raises(InvalidState, match="听证状态为“已公告”，不能作出听证结论"):
        svc.hearing_conclude(actor=world.handler, hearing=hearing, conclusion="x", ended_on=local_date())


# ---------------------------------------------------------------- publishing and withdrawal


def test_the_result_is_published_after_the_conclusion(world: World) -> None:
    with pytest.raises(InvalidState, match="不能公开听证结论"):
        svc.hearing_publish(actor=world.handler, hearing=in_session(world), published_on=local_date())
    hearing = concluded(world)
    with pytest.raises(ServiceError, match="公开日期不能早于听证结束日期") as exc:
        svc.hearing_publish(actor=world.handler, hearing=hearing, published_on=local_date() - DAY)
    assert field_of(exc) == "published_on"
    with pytest.raises(ServiceError, match="公开日期不能晚于今天"):
        svc.hearing_publish(actor=world.handler, hearing=hearing, published_on=local_date() + DAY)
    hearing = svc.hearing_publish(actor=world.handler, hearing=hearing, published_on=local_date())
    assert (hearing.status, hearing.published_on) == ("published", local_date())
    with pytest.raises(InvalidState, match="结论已公开"):
        svc.hearing_publish(actor=world.handler, hearing=hearing, published_on=local_date())


def test_a_hearing_may_end_without_a_session_when_the_petitioner_withdraws(world: World) -> None:
    hearing = announced(world)
    with pytest.raises(ServiceError, match="请填写终止理由") as exc:
        svc.hearing_withdraw(actor=world.handler, hearing=hearing, withdrawn_on=local_date(), reason="")
    assert field_of(exc) == "reason"
    with pytest.raises(ServiceError, match="终止日期不能早于") as exc:
        svc.hearing_withdraw(
            actor=world.handler, hearing=hearing, withdrawn_on=local_date() - DAY, reason="x"
        )
    assert field_of(exc) == "withdrawn_on"
    hearing = svc.hearing_withdraw(
        actor=world.handler,
        hearing=hearing,
        withdrawn_on=local_date(),
        reason="信访人无正当理由未到场，视为撤回",
    )
    assert hearing.status == "withdrawn"
    assert decided(world, hearing.case).status == "decided"  # the case may have another


def test_a_session_is_not_withdrawn_but_concluded(world: World) -> None:
    with pytest.raises(InvalidState, match="听证中"):
        svc.hearing_withdraw(
            actor=world.handler, hearing=in_session(world), withdrawn_on=local_date(), reason="x"
        )


# ---------------------------------------------------------------- the whole way, in 复核


def test_a_hearing_in_rereview_from_application_to_publication(world: World) -> None:
    case = in_rereview(world)
    assert case.current_org == world.province_gov
    hearing = applied(world, case, actor=world.leader)
    assert hearing.org == world.province_gov
    hearing = svc.hearing_accept(
        actor=world.leader, hearing=hearing, decided_on=local_date(), decision="同意"
    )
    hearing = announced_by(world.leader, hearing)
    svc.hearing_add_participant(actor=world.leader, hearing=hearing, role="host", name="省政府主持人")
    svc.hearing_add_participant(actor=world.leader, hearing=hearing, role="petitioner", name="张三")
    hearing = svc.hearing_open(actor=world.leader, hearing=hearing, started_on=local_date())
    hearing = svc.hearing_record(
        actor=world.leader,
        hearing=hearing,
        statement="陈述",
        questioning="询问",
        debate="辩论",
        deliberation="评议",
    )
    hearing = svc.hearing_conclude(
        actor=world.leader, hearing=hearing, conclusion="维持", ended_on=local_date()
    )
    kinds = list(Case.objects.get(pk=case.pk).events.values_list("kind", flat=True))
    assert kinds[-2:] == ["hearing_started", "hearing_ended"]
    # the 复核 opinion may now be given (no hearing open on the case); it closes the matter, and the
    # hearing's result may still be published
    case = case_services.case_rereview_decide(
        actor=world.leader, case=Case.objects.get(pk=case.pk), outcome="uphold", opinion="维持。"
    )
    assert case.closed_at is not None
    hearing = svc.hearing_publish(actor=world.leader, hearing=hearing, published_on=local_date())
    assert [e.kind for e in hearing.events.order_by("seq")] == [
        "applied",
        "accepted",
        "announced",
        "participant_added",
        "participant_added",
        "opened",
        "recorded",
        "concluded",
        "published",
    ]
    assert {e.org for e in hearing.events.all()} == {world.province_gov}


def announced_by(actor: User, hearing: Hearing) -> Hearing:
    return svc.hearing_announce(
        actor=actor,
        hearing=hearing,
        announced_on=local_date(),
        announcement="公告",
        scheduled_at=now(),
        venue="省政府信访听证室",
    )


def test_a_case_closed_meanwhile_stops_the_preparation_but_not_the_withdrawal(world: World) -> None:
    case = in_review(world)
    hearing = decided(world, case, actor=world.leader)
    case_services.case_review_decide(actor=world.leader, case=case, outcome="uphold", opinion="维持。")
    case = case_services.case_terminate(
        actor=world.leader, case=Case.objects.get(pk=case.pk), reason="petitioner_accepted"
    )
    assert case.closed_at is not None
    with pytest.raises(InvalidState, match="该信访件已办结，不能发布听证公告") as exc:
        announced_by(world.leader, hearing)
    assert field_of(exc) == "case"
    hearing = svc.hearing_withdraw(
        actor=world.leader, hearing=hearing, withdrawn_on=local_date(), reason="已办结"
    )
    assert hearing.status == "withdrawn"


# ---------------------------------------------------------------- reads


def test_reads_go_through_the_access_policy(world: World) -> None:
    hearing = decided(world)
    assert list(hearings_visible_to(world.handler)) == [hearing]
    assert list(hearings_visible_to(world.registrar)) == [hearing]  # the registering bureau sees the case
    assert list(hearings_visible_to(world.other_clerk)) == []
    assert list(case_hearings(world.handler, hearing.case)) == [hearing]
    assert list(case_hearings(world.other_clerk, hearing.case)) == []
    assert hearing_detail(world.other_clerk, hearing.pk) is None
    assert hearing_detail(world.handler, hearing.pk) == hearing


def test_statuses_cover_the_model(world: World) -> None:
    assert set(HearingStatus.values) == {
        "applied",
        "refused",
        "decided",
        "announced",
        "in_session",
        "concluded",
        "published",
        "withdrawn",
    }
