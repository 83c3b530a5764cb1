"""The grass-roots points: 说事 registered (PII encrypted), 调解 started, concluded and followed up,
就地化解 with the petitioner's confirmation, 上报 to the township or the county's bureau, the case
registered from it with the point's work on its timeline; every refusal; the selectors and figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import category
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import LOCAL_TZ
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Org, OrgKind, Role
from xinfang.reception.models import Mediation, MediationOutcome, Talk, TalkStatus
from xinfang.reception.selectors.grassroots import (
    figures_total,
    masked_name,
    masked_phone,
    may_register_case,
    point_figures,
    point_for,
    point_talks,
    talk_for,
    talk_mediations,
    talks_awaiting_registration,
)
from xinfang.reception.services.grassroots import (
    escalation_targets,
    mediation_conclude,
    mediation_follow_up,
    mediation_start,
    talk_escalate,
    talk_register,
    talk_register_case,
    talk_resolve,
)
from xinfang.reception.tests.helpers import HallWorld, build_hall_world
from xinfang.testing.world import PASSWORD, World

D = dt.date
Freeze = Callable[[str], dt.datetime]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


@pytest.fixture
def hw(world: World, freeze: Freeze) -> HallWorld:
    freeze("2025-03-10 09:00")
    return build_hall_world(world)


def register_talk(hw: HallWorld, **overrides: Any) -> Talk:
    fields: dict[str, Any] = {
        "actor": hw.point_clerk,
        "point": hw.point,
        "name": "王大妈",
        "phone": "13700137000",
        "address": "城关镇东村3组",
        "headcount": 2,
        "subject": "邻里宅基地界址纠纷",
        "content": "与邻居因宅基地界址发生争执，请求村里协调。",
    }
    fields.update(overrides)
    return talk_register(**fields)


def start(hw: HallWorld, talk: Talk, **overrides: Any) -> Mediation:
    fields: dict[str, Any] = {
        "actor": hw.point_clerk,
        "talk": talk,
        "parties": "王大妈；邻居李某",
        "mediator": "东村人民调解员孙某",
        "started_on": D(2025, 3, 10),
    }
    fields.update(overrides)
    return mediation_start(**fields)


def agree(hw: HallWorld, mediation: Mediation, **overrides: Any) -> Mediation:
    fields: dict[str, Any] = {
        "actor": hw.point_clerk,
        "mediation": mediation,
        "outcome": "agreed",
        "agreement": "双方同意以原有围墙为界，李某拆除越界部分。",
        "concluded_on": D(2025, 3, 10),
        "follow_up_on": D(2025, 3, 20),
    }
    fields.update(overrides)
    return mediation_conclude(**fields)


TODAY = D(2025, 3, 10)


def fail(hw: HallWorld, mediation: Mediation, on: dt.date = TODAY) -> Mediation:
    return mediation_conclude(actor=hw.point_clerk, mediation=mediation, outcome="failed", concluded_on=on)


def escalate(hw: HallWorld, talk: Talk, to: Org, **overrides: Any) -> Talk:
    fields: dict[str, Any] = {
        "actor": hw.point_clerk,
        "talk": talk,
        "to_org": to,
        "reason": "调解不成，涉及宅基地确权，需镇政府处理。",
    }
    fields.update(overrides)
    return talk_escalate(**fields)


def register_case(hw: HallWorld, talk: Talk, world: World, **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "actor": hw.town_clerk,
        "talk": talk,
        "nature": "appeal",
        "category": category("030100"),
        "subject": talk.subject,
        "content": talk.content,
        "problem_region": world.town,
    }
    fields.update(overrides)
    return talk_register_case(**fields)


def _refresh(talk: Talk) -> Talk:
    talk.refresh_from_db()
    return talk


# ---------------------------------------------------------------- 说事


def test_a_talk_is_registered_with_its_personal_data_encrypted(hw: HallWorld) -> None:
    talk = register_talk(hw, category=category("030100"))
    assert talk.status == TalkStatus.OPEN and talk.point == hw.point and talk.recorded_by == hw.point_clerk
    assert talk.received_at == at("2025-03-10 09:00") and talk.headcount == 2
    assert "王大妈" not in talk.name_enc and "13700137000" not in talk.phone_enc
    stored = Talk.objects.get(pk=talk.pk)
    assert (stored.name, stored.phone, stored.address) == ("王大妈", "13700137000", "城关镇东村3组")
    assert (masked_name(stored), masked_phone(stored)) == ("王**", "137****7000")


def test_a_talk_may_be_received_earlier_and_phone_is_optional(hw: HallWorld) -> None:
    talk = register_talk(hw, phone="", received_at=at("2025-03-08 16:00"), headcount=1)
    assert talk.phone == "" and talk.phone_enc == "" and talk.received_at == at("2025-03-08 16:00")


@pytest.mark.parametrize("who", ["point_clerk", "town_clerk", "clerk", "registrar"])
def test_the_point_its_township_and_the_bureaus_above_serve_it(world: World, hw: HallWorld, who: str) -> None:
    actor = getattr(hw, who, None) or getattr(world, who)
    assert register_talk(hw, actor=actor).recorded_by == actor


@pytest.mark.parametrize("who", ["other_clerk", "handler", "labour_leader"])
def test_an_outsider_registers_no_talk(world: World, hw: HallWorld, who: str) -> None:
    actor = getattr(hw, who, None) or getattr(world, who)
    with pytest.raises(
        NotAllowed, match="只有城关镇东村村级服务点或其所属乡镇、上级机关的工作人员可以登记群众说事"
    ) as exc:
        register_talk(hw, actor=actor)
    assert exc.value.field == "point" and not Talk.objects.exists()


def test_only_a_grass_roots_point_registers_talks(world: World, hw: HallWorld) -> None:
    with pytest.raises(ServiceError, match="不是镇级工作站、村级服务点或基层调解平台") as exc:
        register_talk(hw, point=world.town_office, actor=hw.town_clerk)
    assert exc.value.field == "point"
    hw.point.is_active = False
    hw.point.save()
    with pytest.raises(ServiceError, match="已停用") as exc:
        register_talk(hw)
    assert exc.value.field == "point"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", " ", "请填写说事群众的姓名"),
        ("name", "名" * 51, "姓名不能超过 50 个字"),
        ("phone", "123", "联系电话应为 7 至 15 位数字"),
        ("address", "址" * 201, "住址不能超过 200 个字"),
        ("headcount", 0, "人数应为 1 至"),
        ("headcount", True, "人数应为 1 至"),
        ("subject", "", "请填写事项"),
        ("content", "\n", "请填写具体情况"),
        ("received_at", at("2025-03-10 09:01"), "接待时间不能晚于现在"),
        ("received_at", at("2025-02-07 09:00"), "只能登记 30 日以内"),
        ("received_at", dt.datetime(2025, 3, 9, 9, 0), "请填写接待时间"),
    ],
)
def test_the_talk_fields_are_checked(hw: HallWorld, field: str, value: Any, message: str) -> None:
    with pytest.raises(ServiceError, match=message) as exc:
        register_talk(hw, **{field: value})
    assert exc.value.field == field


def test_an_inactive_category_is_refused(hw: HallWorld) -> None:
    stopped = category("030100")
    stopped.is_active = False
    stopped.save()
    with pytest.raises(ServiceError, match="已停用") as exc:
        register_talk(hw, category=stopped)
    assert exc.value.field == "category"


# ---------------------------------------------------------------- 调解


def test_a_mediation_makes_the_talk_mediating_one_at_a_time(hw: HallWorld) -> None:
    talk = register_talk(hw)
    mediation = start(hw, talk)
    assert (mediation.outcome, mediation.mediator, mediation.recorded_by) == (
        MediationOutcome.ONGOING,
        "东村人民调解员孙某",
        hw.point_clerk,
    )
    assert _refresh(talk).status == TalkStatus.MEDIATING
    with pytest.raises(InvalidState, match="正在调解中，请先登记调解结果再开始新的调解"):
        start(hw, talk)


def test_a_failed_mediation_reopens_the_talk_and_another_may_follow(hw: HallWorld) -> None:
    talk = register_talk(hw)
    failed = fail(hw, start(hw, talk))
    assert failed.outcome == MediationOutcome.FAILED and failed.concluded_on == D(2025, 3, 10)
    assert failed.agreement == "" and failed.follow_up_on is None
    assert _refresh(talk).status == TalkStatus.OPEN
    second = start(hw, talk)
    assert _refresh(talk).status == TalkStatus.MEDIATING
    agreed = agree(hw, second)
    assert agreed.outcome == MediationOutcome.AGREED and agreed.follow_up_on == D(2025, 3, 20)
    # agreed: the talk waits for the petitioner's confirmation of the resolution
    assert _refresh(talk).status == TalkStatus.MEDIATING


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("parties", "", "请填写调解的当事人"),
        ("mediator", " ", "请填写调解员"),
        ("mediator", "员" * 65, "调解员不能超过 64 个字"),
        ("started_on", D(2025, 3, 11), "调解日期不能晚于今天"),
        ("started_on", D(2025, 3, 9), r"不能早于接待日期（2025-03-10）"),
        ("started_on", None, "请填写调解日期"),
        ("started_on", at("2025-03-10 09:00"), "请填写调解日期"),
    ],
)
def test_the_mediation_fields_are_checked(hw: HallWorld, field: str, value: Any, message: str) -> None:
    talk = register_talk(hw)
    with pytest.raises(ServiceError, match=message) as exc:
        start(hw, talk, **{field: value})
    assert exc.value.field == field
    assert _refresh(talk).status == TalkStatus.OPEN


def test_only_the_point_staff_mediate(world: World, hw: HallWorld) -> None:
    talk = register_talk(hw)
    with pytest.raises(NotAllowed, match="可以组织调解"):
        start(hw, talk, actor=world.other_clerk)
    mediation = start(hw, talk)
    with pytest.raises(NotAllowed, match="可以组织调解"):
        agree(hw, mediation, actor=world.other_clerk)


def test_a_closed_point_mediates_no_more(hw: HallWorld) -> None:
    talk = register_talk(hw)
    hw.point.is_active = False
    hw.point.save()
    with pytest.raises(ServiceError, match="已停用") as exc:
        start(hw, talk)
    assert exc.value.field == "talk"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"agreement": " "}, "agreement", "请填写调解协议内容（第三十三条）"),
        ({"agreement": "协" * 20001}, "agreement", "不能超过 20000 个字"),
        ({"follow_up_on": None}, "follow_up_on", "请填写回访日期"),
        ({"follow_up_on": D(2025, 3, 9)}, "follow_up_on", "不能早于结束日期"),
        ({"follow_up_on": "2025-03-20"}, "follow_up_on", "请填写回访日期（年-月-日）"),
        ({"concluded_on": D(2025, 3, 11)}, "concluded_on", "结束日期不能晚于今天"),
        ({"concluded_on": D(2025, 3, 9)}, "concluded_on", r"不能早于调解日期（2025-03-10）"),
        ({"outcome": "ongoing"}, "outcome", "调解结果应为"),
        ({"outcome": "failed"}, "agreement", "调解不成的，不填写调解协议和回访日期"),
    ],
)
def test_concluding_is_checked(hw: HallWorld, overrides: dict[str, Any], field: str, message: str) -> None:
    talk = register_talk(hw)
    mediation = start(hw, talk)
    with pytest.raises(ServiceError, match=message) as exc:
        agree(hw, mediation, **overrides)
    assert exc.value.field == field
    mediation.refresh_from_db()
    assert mediation.outcome == MediationOutcome.ONGOING


def test_a_mediation_ends_once(hw: HallWorld) -> None:
    mediation = agree(hw, start(hw, register_talk(hw)))
    with pytest.raises(InvalidState, match="该调解已于 2025-03-10 结束"):
        fail(hw, mediation)


def test_the_follow_up_of_an_agreement_once(world: World, freeze: Freeze, hw: HallWorld) -> None:
    talk = register_talk(hw)
    failed = fail(hw, start(hw, talk))
    with pytest.raises(InvalidState, match="只有达成协议的调解需要回访"):
        mediation_follow_up(actor=hw.point_clerk, mediation=failed, note="—")
    ongoing = start(hw, talk)
    with pytest.raises(InvalidState, match="只有达成协议的调解需要回访"):
        mediation_follow_up(actor=hw.point_clerk, mediation=ongoing, note="—")
    agreed = agree(hw, ongoing)
    with pytest.raises(ServiceError, match="请填写回访情况") as exc:
        mediation_follow_up(actor=hw.point_clerk, mediation=agreed, note=" ")
    assert exc.value.field == "note"
    with pytest.raises(NotAllowed):
        mediation_follow_up(actor=world.other_clerk, mediation=agreed, note="已履行")
    freeze("2025-03-20 10:00")
    done = mediation_follow_up(actor=hw.point_clerk, mediation=agreed, note="越界部分已拆除，协议已履行。")
    assert done.follow_up_note == "越界部分已拆除，协议已履行。" and done.followed_up_at == at(
        "2025-03-20 10:00"
    )
    with pytest.raises(InvalidState, match="已于 2025-03-20 回访"):
        mediation_follow_up(actor=hw.point_clerk, mediation=agreed, note="再次回访")


# ---------------------------------------------------------------- 就地化解


def test_resolving_on_the_spot_needs_the_petitioners_confirmation(hw: HallWorld) -> None:
    talk = register_talk(hw)
    with pytest.raises(ServiceError, match="就地化解须经群众本人确认") as exc:
        talk_resolve(actor=hw.point_clerk, talk=talk, resolution="双方和解。", confirmation=" ")
    assert exc.value.field == "confirmation"
    with pytest.raises(ServiceError, match="请填写化解情况") as exc:
        talk_resolve(actor=hw.point_clerk, talk=talk, resolution="", confirmation="本人签字")
    assert exc.value.field == "resolution"
    with pytest.raises(ServiceError, match="不能超过 64 个字") as exc:
        talk_resolve(actor=hw.point_clerk, talk=talk, resolution="和解", confirmation="签" * 65)
    resolved = talk_resolve(actor=hw.point_clerk, talk=talk, resolution="双方和解。", confirmation="本人签字")
    assert (
        resolved.status,
        resolved.resolution,
        resolved.confirmation,
        resolved.confirmed_by_petitioner,
    ) == (
        TalkStatus.RESOLVED,
        "双方和解。",
        "本人签字",
        True,
    )
    assert resolved.resolved_at == at("2025-03-10 09:00")
    with pytest.raises(InvalidState, match="已就地化解"):
        talk_resolve(actor=hw.point_clerk, talk=talk, resolution="再次", confirmation="电话确认")


def test_resolving_after_an_agreement_but_not_during_a_mediation(world: World, hw: HallWorld) -> None:
    talk = register_talk(hw)
    mediation = start(hw, talk)
    with pytest.raises(InvalidState, match="请先登记调解结果再登记就地化解"):
        talk_resolve(actor=hw.point_clerk, talk=talk, resolution="和解", confirmation="本人签字")
    agree(hw, mediation)
    with pytest.raises(NotAllowed, match="可以登记就地化解"):
        talk_resolve(actor=world.other_clerk, talk=talk, resolution="和解", confirmation="本人签字")
    assert talk_resolve(
        actor=hw.point_clerk, talk=talk, resolution="按协议履行", confirmation="电话确认"
    ).status == (TalkStatus.RESOLVED)
    with pytest.raises(InvalidState, match="已就地化解"):
        start(hw, talk)


# ---------------------------------------------------------------- 上报


def test_the_targets_are_the_township_and_the_bureaus_above(world: World, hw: HallWorld) -> None:
    assert escalation_targets(hw.point) == [world.town_office, world.county_bureau, world.city_bureau]


def test_escalating_to_the_township(hw: HallWorld, world: World) -> None:
    talk = register_talk(hw)
    fail(hw, start(hw, talk))
    escalated = escalate(hw, talk, world.town_office)
    assert (escalated.status, escalated.escalated_to, escalated.escalated_at) == (
        TalkStatus.ESCALATED,
        world.town_office,
        at("2025-03-10 09:00"),
    )
    assert escalated.escalation_reason == "调解不成，涉及宅基地确权，需镇政府处理。"
    with pytest.raises(InvalidState, match="已上报青山县城关镇人民政府"):
        escalate(hw, talk, world.county_bureau)
    with pytest.raises(InvalidState, match="已上报"):
        talk_resolve(actor=hw.point_clerk, talk=talk, resolution="和解", confirmation="本人签字")


def test_escalating_to_the_county_bureau(hw: HallWorld, world: World) -> None:
    assert escalate(hw, register_talk(hw), world.county_bureau).escalated_to == world.county_bureau


@pytest.mark.parametrize("target", ["county_labour", "county_gov", "city_housing", "other_county_labour"])
def test_escalating_elsewhere_is_refused(hw: HallWorld, world: World, target: str) -> None:
    talk = register_talk(hw)
    org = getattr(world, target)
    with pytest.raises(
        ServiceError, match=f"{org.name}不是城关镇东村村级服务点所属的乡镇（街道），也不是所在地的信访部门"
    ) as exc:
        escalate(hw, talk, org)
    assert exc.value.field == "to_org"
    assert _refresh(talk).status == TalkStatus.OPEN


def test_a_bureau_of_another_county_is_no_target(hw: HallWorld, world: World) -> None:
    other_bureau = org_services.org_create(
        name="河口县信访局", region=world.other_county, kind=OrgKind.PETITION_BUREAU
    )
    with pytest.raises(ServiceError) as exc:
        escalate(hw, register_talk(hw), other_bureau)
    assert exc.value.field == "to_org"
    assert other_bureau not in escalation_targets(hw.point)


def test_escalating_is_checked(world: World, hw: HallWorld) -> None:
    talk = register_talk(hw)
    with pytest.raises(ServiceError, match="请填写上报理由") as exc:
        escalate(hw, talk, world.town_office, reason=" ")
    assert exc.value.field == "reason"
    with pytest.raises(NotAllowed, match="可以上报群众说事"):
        escalate(hw, talk, world.town_office, actor=world.other_clerk)
    start(hw, talk)
    with pytest.raises(InvalidState, match="请先登记调解结果再上报"):
        escalate(hw, talk, world.town_office)


def test_a_resolved_talk_is_not_escalated(world: World, hw: HallWorld) -> None:
    talk = register_talk(hw)
    talk_resolve(actor=hw.point_clerk, talk=talk, resolution="和解", confirmation="本人签字")
    with pytest.raises(InvalidState, match="已就地化解"):
        escalate(hw, talk, world.town_office)


# ---------------------------------------------------------------- the case registered from it


def test_the_township_registers_the_escalated_matter_as_a_case(
    world: World, freeze: Freeze, hw: HallWorld
) -> None:
    talk = register_talk(hw)
    fail(hw, start(hw, talk))
    freeze("2025-03-11 10:00")
    escalate(hw, talk, world.town_office)
    freeze("2025-03-12 11:00")
    case = register_case(hw, talk, world)
    assert (case.registered_org, case.registered_by, case.channel, case.headcount) == (
        world.town_office,
        hw.town_clerk,
        "visit",
        2,
    )
    assert case.received_on == D(2025, 3, 11)  # the day the township received it
    assert case.subject == "邻里宅基地界址纠纷" and case.problem_region == world.town
    person = case.petitioners.get()
    assert (person.name, person.phone, person.address) == ("王大妈", "13700137000", "城关镇东村3组")
    assert [e.kind for e in case.events.order_by("seq")] == ["registered", "escalated_from_point"]
    event = case.events.get(kind="escalated_from_point")
    assert event.org == world.town_office and event.actor == hw.town_clerk
    assert event.payload == {
        "talk": talk.pk,
        "point": hw.point.pk,
        "point_name": "城关镇东村村级服务点",
        "subject": "邻里宅基地界址纠纷",
        "escalated_on": "2025-03-11",
        "mediations": [
            {
                "outcome": "failed",
                "outcome_name": "调解不成",
                "started_on": "2025-03-10",
                "concluded_on": "2025-03-10",
            }
        ],
        "note": "城关镇东村村级服务点上报：邻里宅基地界址纠纷；经调解 1 次（达成协议 0 次）",
    }
    assert _refresh(talk).case == case
    with pytest.raises(InvalidState, match="已登记为信访件，不能重复登记"):
        register_case(hw, talk, world)
    assert Case.objects.count() == 1


def test_a_matter_never_mediated_says_so(world: World, hw: HallWorld) -> None:
    talk = escalate(hw, register_talk(hw), world.county_bureau)
    case = register_case(hw, talk, world, actor=hw.clerk)
    assert case.registered_org == world.county_bureau
    event = case.events.get(kind="escalated_from_point")
    assert event.payload["mediations"] == [] and event.payload["note"].endswith("；未经调解")


def test_only_the_receiving_organs_registrar_registers(world: World, hw: HallWorld) -> None:
    talk = register_talk(hw)
    with pytest.raises(InvalidState, match="尚未上报"):
        register_case(hw, talk, world)
    escalate(hw, talk, world.town_office)
    for actor in (hw.point_clerk, hw.clerk, world.registrar, world.other_clerk):
        with pytest.raises(
            NotAllowed, match="只有青山县城关镇人民政府的登记员、承办人或信访部门负责人可以"
        ) as exc:
            register_case(hw, talk, world, actor=actor)
        assert exc.value.field == "talk"
    approver = org_services.staff_user_create(username="cg_approver", full_name="审", password=PASSWORD)
    org_services.membership_grant(user=approver, org=world.town_office, role=Role.APPROVER)
    with pytest.raises(NotAllowed):
        register_case(hw, talk, world, actor=approver)
    assert not Case.objects.exists() and _refresh(talk).case is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("subject", " "), ("content", ""), ("nature", "nonsense"), ("category", None), ("problem_region", None)],
)
def test_the_case_services_check_the_registration(
    world: World, hw: HallWorld, field: str, value: Any
) -> None:
    talk = escalate(hw, register_talk(hw), world.town_office)
    with pytest.raises(ServiceError) as exc:
        register_case(hw, talk, world, **{field: value})
    assert exc.value.field == field
    assert not Case.objects.exists() and _refresh(talk).case is None


# ---------------------------------------------------------------- selectors


def test_the_points_a_user_serves(world: World, hw: HallWorld) -> None:
    assert point_for(hw.point_clerk, hw.point.pk) == hw.point
    assert point_for(hw.town_clerk, hw.point.pk) == hw.point
    assert point_for(world.other_clerk, hw.point.pk) is None
    assert point_for(world.citizen, hw.point.pk) is None


def test_the_talks_of_a_point_by_status_and_month(freeze: Freeze, hw: HallWorld) -> None:
    february = register_talk(hw, received_at=at("2025-02-28 23:30"), subject="二月的事")
    first = register_talk(hw, received_at=at("2025-03-01 00:10"), subject="三月一日的事")
    second = register_talk(hw, subject="今天的事")
    talk_resolve(actor=hw.point_clerk, talk=second, resolution="已解释", confirmation="本人签字")
    assert list(point_talks(hw.point)) == [second, first, february]
    assert list(point_talks(hw.point, month=(2025, 3))) == [second, first]
    assert list(point_talks(hw.point, month=(2025, 2))) == [february]
    assert list(point_talks(hw.point, status=TalkStatus.RESOLVED)) == [second]
    assert list(point_talks(hw.point, status=TalkStatus.OPEN, month=(2025, 3))) == [first]
    assert list(point_talks(hw.point, month=(2024, 12))) == []


def test_a_talk_is_seen_by_the_point_and_the_receiving_organ(world: World, hw: HallWorld) -> None:
    talk = register_talk(hw)
    assert talk_for(hw.point_clerk, talk.pk) == talk
    assert talk_for(world.other_clerk, talk.pk) is None
    assert talk_for(world.citizen, talk.pk) is None
    mediation = start(hw, talk)
    assert list(talk_mediations(talk)) == [mediation]


def test_the_escalated_talks_waiting_for_registration(world: World, freeze: Freeze, hw: HallWorld) -> None:
    first = escalate(hw, register_talk(hw, subject="先上报"), world.town_office)
    freeze("2025-03-10 10:00")
    second = escalate(hw, register_talk(hw, subject="后上报"), world.town_office)
    to_county = escalate(hw, register_talk(hw, subject="报县"), world.county_bureau)
    register_talk(hw, subject="未上报")
    assert list(talks_awaiting_registration(hw.town_clerk)) == [first, second]
    assert list(talks_awaiting_registration(hw.clerk)) == [to_county]
    assert list(talks_awaiting_registration(hw.point_clerk)) == []
    assert list(talks_awaiting_registration(world.citizen)) == []
    assert may_register_case(hw.town_clerk, first) and not may_register_case(hw.clerk, first)
    register_case(hw, first, world)
    assert list(talks_awaiting_registration(hw.town_clerk)) == [second]
    assert not may_register_case(hw.town_clerk, _refresh(first))


def test_the_figures_per_point(world: World, freeze: Freeze, hw: HallWorld) -> None:
    station = org_services.org_create(
        name="城关镇综治中心工作站",
        region=world.town,
        kind=OrgKind.TOWNSHIP_STATION,
        parent=world.town_office,
    )
    # February: one talk of 3 people, mediated and agreed in March, resolved in March
    freeze("2025-02-27 10:00")
    old = register_talk(hw, headcount=3)
    old_mediation = start(hw, old, started_on=D(2025, 2, 27))
    freeze("2025-03-03 10:00")
    agree(hw, old_mediation, concluded_on=D(2025, 3, 3), follow_up_on=D(2025, 3, 10))
    talk_resolve(actor=hw.point_clerk, talk=old, resolution="按协议履行", confirmation="本人签字")
    # March: two talks at the village point (2 + 1 people): one mediated and failed then escalated,
    # one left open; one talk at the station resolved on the spot
    freeze("2025-03-05 10:00")
    failed = register_talk(hw)
    fail(hw, start(hw, failed, started_on=D(2025, 3, 5)), D(2025, 3, 5))
    escalate(hw, failed, world.town_office)
    register_talk(hw, headcount=1)
    register_talk(hw, point=station, actor=hw.town_clerk, headcount=4)
    at_station = Talk.objects.get(point=station)
    talk_resolve(actor=hw.town_clerk, talk=at_station, resolution="当场答复", confirmation="电话确认")
    # April: outside the period
    freeze("2025-04-01 10:00")
    register_talk(hw, headcount=7)

    village, town_station = point_figures([hw.point, station], D(2025, 3, 1), D(2025, 3, 31))
    assert village.point == hw.point and town_station.point == station
    assert (village.talks, village.persons, village.mediations, village.mediations_concluded) == (2, 3, 1, 2)
    assert (village.mediations_agreed, village.resolved, village.escalated) == (1, 1, 1)
    assert village.mediation_rate == 0.5 and village.resolution_rate == 0.5
    assert (town_station.talks, town_station.persons, town_station.mediations, town_station.resolved) == (
        1,
        4,
        0,
        1,
    )
    assert town_station.mediation_rate is None and town_station.resolution_rate == 1.0
    total = figures_total([village, town_station])
    assert (total.point, total.talks, total.persons, total.resolved, total.escalated) == (None, 3, 7, 2, 1)
    assert total.resolution_rate == pytest.approx(2 / 3)
    february = point_figures([hw.point], D(2025, 2, 1), D(2025, 2, 28))[0]
    assert (february.talks, february.persons, february.mediations, february.mediations_agreed) == (1, 3, 1, 0)
    empty = point_figures([], D(2025, 3, 1), D(2025, 3, 31))
    assert empty == [] and figures_total(empty).resolution_rate is None
