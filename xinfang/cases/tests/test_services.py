from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable

import pytest

from xinfang.cases import services
from xinfang.cases.models import Case, CaseUnit, ContentCategory, Petitioner, Rating, Status
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import (
    ID_NUMBER,
    a_reply,
    register,
    reply_approved,
    to_accepted,
    to_delivered,
)
from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.deadlines import selectors as deadline_selectors
from xinfang.deadlines.profiles import DEFAULT_PROFILES_PATH, parse_profiles
from xinfang.testing.world import World

# ---- registration -------------------------------------------------------------------------


def test_registration_starts_the_routing_clock_and_numbers_the_case(
    world: World, freeze: Callable[[str], dt.datetime]
) -> None:
    freeze("2025-03-03 10:00")
    case = register(world)
    assert case.number.startswith("99010020250303")
    assert len(case.query_code) == 10
    assert case.current_org == world.city_bureau
    # 15 calendar days after 3 March (第二十二条), ending at 24:00 Beijing time.
    assert case.next_due_at == dt.datetime(2025, 3, 19, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert case.next_due_on == dt.date(2025, 3, 18)
    assert case.events.get().kind == "registered"


def test_petitioner_data_is_encrypted_at_rest_with_hashes_for_matching(world: World) -> None:
    case = register(world)
    row = Petitioner.objects.get(case=case)
    assert row.id_number == ID_NUMBER and row.phone == "13800138000" and row.name == "张三"
    assert ID_NUMBER not in row.id_number_enc and "张三" not in row.name_enc
    assert len(row.id_number_hash) == 64
    again = register(world, petitioners=[PetitionerInput(name="张三", id_number=ID_NUMBER.lower())])
    assert again.petitioners.get().id_number_hash == row.id_number_hash


def test_no_personal_data_goes_into_the_event_log(world: World) -> None:
    case = register(world)
    assert "张三" not in str(case.events.get().payload)
    assert ID_NUMBER not in str(case.events.get().payload)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"channel": "pigeon"}, "channel", "信访形式“pigeon”无效"),
        ({"nature": "gossip"}, "nature", "信访性质“gossip”无效"),
        ({"subject": "  "}, "subject", "标题不能为空"),
        ({"subject": "长" * 201}, "subject", "标题不能超过 200 个字"),
        ({"content": ""}, "content", "主要内容不能为空"),
        ({"headcount": 0}, "headcount", "信访人数应为 1 至 100000"),
        ({"received_on": dt.date(2999, 1, 1)}, "received_on", "信访日期不能晚于今天"),
        ({"petitioners": []}, "petitioners", "请至少登记一名信访人"),
        (
            {"petitioners": [PetitionerInput(name="李四", id_number="123")]},
            "petitioners[0].id_number",
            "身份证号码应为 18 位",
        ),
        (
            {"petitioners": [PetitionerInput(name="李四", id_number="110105194912310021")]},
            "petitioners[0].id_number",
            "校验位不正确",
        ),
        (
            {"petitioners": [PetitionerInput(name="李四", phone="12ab")]},
            "petitioners[0].phone",
            "联系电话应为",
        ),
        ({"petitioners": [PetitionerInput(name="")]}, "petitioners[0].name", "信访人姓名不能为空"),
    ],
)
def test_bad_registration_input_names_the_field(
    world: World, overrides: dict, field: str, message: str
) -> None:
    with pytest.raises(ServiceError, match=message) as exc:
        register(world, **overrides)
    assert exc.value.field == field
    assert not Case.objects.exists() and not Petitioner.objects.exists()  # nothing half-written


def test_a_collective_visit_may_have_at_most_five_representatives(world: World) -> None:
    people = [PetitionerInput(name=f"代表{i}", is_representative=True) for i in range(6)]
    with pytest.raises(ServiceError, match="代表人数不得超过 5 人（现为 6 人）") as exc:
        register(world, headcount=40, petitioners=people)
    assert exc.value.field == "petitioners"
    case = register(world, headcount=40, petitioners=people[:5])
    assert case.is_collective and case.petitioners.count() == 5


def test_more_petitioners_than_the_headcount_is_refused(world: World) -> None:
    people = [PetitionerInput(name="甲"), PetitionerInput(name="乙")]
    with pytest.raises(ServiceError, match="多于信访人数 1") as exc:
        register(world, petitioners=people)
    assert exc.value.field == "headcount"


def test_an_anonymous_accusation_is_accepted_but_only_accusations_name_an_accused_unit(world: World) -> None:
    case = register(world, nature="accusation", petitioners=[], accused_org=world.county_labour)
    assert case.accused_org == world.county_labour
    with pytest.raises(ServiceError, match="只有检举控告类事项可以填写被反映单位"):
        register(world, accused_org=world.county_labour)


def test_only_a_registrar_of_the_org_may_register(world: World) -> None:
    with pytest.raises(NotAllowed, match="只有示例市信访局的登记员"):
        register(world, actor=world.other_clerk)


def test_an_inactive_category_is_refused(world: World) -> None:
    category = ContentCategory.objects.get(code="990000")
    category.is_active = False
    category.save()
    with pytest.raises(ServiceError, match="已停用") as exc:
        register(world, category=category)
    assert exc.value.field == "category"


# ---- routing ------------------------------------------------------------------------------


def test_forwarding_makes_the_unit_responsible_and_starts_its_clocks(world: World) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    assert case.status == Status.ROUTED and case.current_org == world.city_housing
    assert list(case.units.filter(is_active=True).values_list("org", "role")) == [
        (world.city_housing.pk, "lead")
    ]


def test_assigning_demands_a_report_date_in_the_future(
    world: World, freeze: Callable[[str], dt.datetime]
) -> None:
    freeze("2025-03-03 10:00")
    case = register(world)
    with pytest.raises(ServiceError, match="办结报告期限应晚于今天") as exc:
        services.case_assign(
            actor=world.registrar, case=case, to_org=world.city_housing, report_due=dt.date(2025, 3, 3)
        )
    assert exc.value.field == "report_due"
    case = services.case_assign(
        actor=world.registrar, case=case, to_org=world.city_housing, report_due=dt.date(2025, 4, 30)
    )
    assert case.events.last().payload["report_due"] == "2025-04-30"


def test_an_accusation_is_never_routed_to_the_accused(world: World) -> None:
    case = register(world, nature="accusation", accused_org=world.county_gov)
    with pytest.raises(ServiceError, match="不得转交被反映单位或其下属单位") as exc:
        services.case_forward(actor=world.registrar, case=case, to_org=world.county_labour)
    assert exc.value.field == "to_org"
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_discipline)
    assert case.current_org == world.city_discipline


def test_only_a_petition_bureau_routes(world: World) -> None:
    case = register(world, actor=world.handler, org=world.city_housing)
    with pytest.raises(ServiceError, match="只有信访部门可以转送、交办"):
        services.case_forward(actor=world.handler, case=case, to_org=world.county_labour)
    case = services.case_accept(actor=world.handler, case=case)  # 第二十三条: its own remit
    assert case.status == Status.ACCEPTED


def test_routing_to_oneself_is_refused(world: World) -> None:
    with pytest.raises(ServiceError, match="不能转交给本机构自己"):
        services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_bureau)


def test_the_bureau_can_answer_directly(world: World) -> None:
    case = services.case_answer(
        actor=world.registrar, case=register(world, nature="suggestion"), reply=a_reply(outcome="explain")
    )
    assert case.status == Status.REPLIED
    assert case.events.last().payload["outcome_name"] == "解释说明"


def test_declining_names_the_legal_channel(world: World) -> None:
    case = services.case_decline(
        actor=world.registrar, case=register(world), legal_channel="litigation", reasons="已进入诉讼程序"
    )
    assert case.status == Status.DECLINED and case.next_due_at is None and case.closed_at
    with pytest.raises(ServiceError, match="法定途径“court”无效"):
        services.case_decline(actor=world.registrar, case=register(world), legal_channel="court", reasons="x")


def test_refusing_again_needs_an_earlier_case_concluded_by_rereview(world: World) -> None:
    earlier = register(world)
    with pytest.raises(ServiceError, match="尚未经复核终结") as exc:
        services.case_refuse_again(
            actor=world.registrar, case=register(world), earlier=earlier, reasons="同一事实"
        )
    assert exc.value.field == "earlier"


def test_the_unit_accepts_and_the_handling_clock_starts(
    world: World, freeze: Callable[[str], dt.datetime]
) -> None:
    freeze("2025-03-03 10:00")
    case = to_accepted(world)
    assert case.status == Status.ACCEPTED
    # 60 calendar days after 3 March is 2 May, inside the Labour Day holiday (1–5 May 2025):
    # the period ends on the next working day, 6 May (第三十四条 with 《民法典》第二百零三条).
    assert case.next_due_at == dt.datetime(2025, 5, 7, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_only_the_responsible_unit_accepts(world: World) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    with pytest.raises(NotAllowed, match="只有示例市住房和城乡建设局的承办人"):
        services.case_accept(actor=world.other_clerk, case=case)


def test_an_objection_returns_the_case_to_the_bureau(world: World) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    case = services.case_object(actor=world.handler, case=case, reasons="属于人社部门职责")
    assert case.status == Status.REGISTERED and case.current_org == world.city_bureau
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.county_labour)
    assert case.status == Status.ROUTED


def test_an_objection_needs_reasons(world: World) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    with pytest.raises(ServiceError, match="异议理由不能为空"):
        services.case_object(actor=world.handler, case=case, reasons=" ")


def test_assisting_units_join_and_see_the_case(world: World) -> None:
    case = services.case_forward(
        actor=world.registrar,
        case=register(world),
        to_org=world.city_housing,
        assisting=[world.county_labour],
    )
    case = services.case_add_assisting(actor=world.handler, case=case, org=world.town_office)
    roles = set(CaseUnit.objects.filter(case=case, is_active=True).values_list("org__name", "role"))
    assert ("青山县城关镇人民政府", "assist") in roles and ("示例市住房和城乡建设局", "lead") in roles
    with pytest.raises(ServiceError, match="已在办理单位中"):
        services.case_add_assisting(actor=world.handler, case=case, org=world.town_office)


# ---- handling -----------------------------------------------------------------------------


def test_a_hearing_blocks_the_reply_and_stops_only_the_clocks_the_profile_names(
    world: World, freeze: Callable[[str], dt.datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze("2025-03-03 10:00")
    case = to_accepted(world)
    due, due_on = case.next_due_at, case.next_due_on
    freeze("2025-03-10 10:00")
    case = services.case_hearing_start(actor=world.handler, case=case)
    assert case.paused
    # The national profile stops the 复核 clock only (第三十六条): the event says so.
    assert case.events.get(kind="hearing_started").payload["clocks"] == ["rereview_decide"]
    with pytest.raises(ServiceError, match="本件已在听证中"):
        services.case_hearing_start(actor=world.handler, case=case)
    with pytest.raises(ServiceError, match="听证尚未结束，不能出具处理意见书"):
        reply_approved(actor=world.handler, case=case, reply=a_reply())
    freeze("2025-03-20 10:00")
    case = services.case_hearing_end(actor=world.handler, case=case, conclusion="听证认为诉求部分合理")
    assert not case.paused and case.next_due_at == due  # the handling clock ran on
    with pytest.raises(ServiceError, match="没有进行中的听证"):
        services.case_hearing_end(actor=world.handler, case=case, conclusion="x")
    # A profile that also excludes the hearing from the handling period: ten days are added back.
    _profiles_with_hearing_clocks(monkeypatch, ["handle", "rereview_decide"])
    case = services.case_hearing_start(actor=world.handler, case=case)
    assert case.events.filter(kind="hearing_started").last().payload["clocks"] == [
        "handle",
        "rereview_decide",
    ]
    freeze("2025-03-30 10:00")
    case = services.case_hearing_end(actor=world.handler, case=case, conclusion="第二次听证")
    # 60 days from 3 March end on 2 May, in the 劳动节 holiday, so on Tuesday 6 May; with the ten
    # days of the hearing they end on Monday 12 May.
    assert (due_on, case.next_due_on) == (dt.date(2025, 5, 6), dt.date(2025, 5, 12))


def _profiles_with_hearing_clocks(monkeypatch: pytest.MonkeyPatch, clocks: list[str]) -> None:
    """The shipped profiles, the national one naming ``clocks`` as those a hearing stops."""
    data = json.loads(DEFAULT_PROFILES_PATH.read_text(encoding="utf-8"))
    data["profiles"][0]["hearing_clocks"] = clocks
    monkeypatch.setattr(deadline_selectors, "profiles_from_db", lambda: parse_profiles(data))
    deadline_selectors.clear_cache()


def test_one_extension_of_at_most_thirty_days_approved_by_an_approver(world: World) -> None:
    case = to_accepted(world)
    with pytest.raises(ServiceError, match="延期天数应为 1 至 30 日") as exc:
        services.case_extend(
            actor=world.handler, case=case, days=31, approver=world.approver, reason="情况复杂"
        )
    assert exc.value.field == "days"
    with pytest.raises(ServiceError, match="只有示例市住房和城乡建设局的审核人或信访部门负责人可以批准延期"):
        services.case_extend(
            actor=world.handler, case=case, days=30, approver=world.handler, reason="情况复杂"
        )
    assert not case.events.filter(kind="extension_requested").exists()  # rolled back with it
    with pytest.raises(ServiceError, match="请填写延期理由"):
        services.case_extend(actor=world.handler, case=case, days=30, approver=world.approver, reason="")
    due = case.next_due_at
    case = services.case_extend(
        actor=world.handler, case=case, days=30, approver=world.approver, reason="需要现场测绘"
    )
    assert case.extension_days == 30 and case.next_due_at > due
    with pytest.raises(ServiceError, match="已延期过一次"):
        services.case_extend(actor=world.handler, case=case, days=5, approver=world.approver, reason="再延")


def test_a_reply_must_state_request_facts_reasons_and_basis(world: World) -> None:
    case = to_accepted(world)
    with pytest.raises(ServiceError, match="应写明法律依据") as exc:
        reply_approved(actor=world.handler, case=case, reply=a_reply(legal_basis=""))
    assert exc.value.field == "legal_basis"
    with pytest.raises(ServiceError, match="处理意见“maybe”无效"):
        reply_approved(actor=world.handler, case=case, reply=a_reply(outcome="maybe"))
    with pytest.raises(ServiceError, match="办理结果标签“lucky”无效"):
        reply_approved(actor=world.handler, case=case, reply=a_reply(tags=["lucky"]))


def test_only_the_lead_unit_replies(world: World) -> None:
    case = services.case_forward(
        actor=world.registrar,
        case=register(world),
        to_org=world.city_housing,
        assisting=[world.other_county_labour],
    )
    case = services.case_accept(actor=world.handler, case=case)
    with pytest.raises(NotAllowed):
        reply_approved(actor=world.other_clerk, case=case, reply=a_reply())


def test_delivery_records_the_method_and_opens_the_appeal_window(world: World) -> None:
    case = to_delivered(world)
    assert case.status == Status.DELIVERED
    assert case.events.last().payload["method_name"] == "当面送达"
    with pytest.raises(ServiceError, match="当前状态为“已送达”，不能送达"):
        services.case_deliver(actor=world.handler, case=case, method="post")


# ---- rating, appeals, termination ---------------------------------------------------------


def test_the_petitioner_rates_both_tracks_once(world: World) -> None:
    case = to_delivered(world, register(world, citizen=world.citizen))
    services.case_rate(actor=world.citizen, case=case, track="bureau", value="satisfied")
    services.case_rate(actor=world.citizen, case=case, track="unit", value="dissatisfied", reason="维修太慢")
    assert dict(Rating.objects.filter(case=case).values_list("track", "org")) == {
        "bureau": world.city_bureau.pk,
        "unit": world.city_housing.pk,
    }
    with pytest.raises(ServiceError, match="已对责任单位作出评价"):
        services.case_rate(actor=world.citizen, case=case, track="unit", value="satisfied")


def test_a_citizen_rates_only_their_own_case(world: World) -> None:
    case = to_delivered(world)
    with pytest.raises(NotAllowed, match="只能对本人提交的信访事项"):
        services.case_rate(actor=world.citizen, case=case, track="unit", value="satisfied")


def test_rating_after_the_window_is_refused(world: World, freeze: Callable[[str], dt.datetime]) -> None:
    freeze("2025-03-03 10:00")
    case = to_delivered(world, register(world, citizen=world.citizen))
    freeze("2025-03-20 10:00")
    with pytest.raises(ServiceError, match="评价期限已过"):
        services.case_rate(actor=world.citizen, case=case, track="unit", value="satisfied")


def test_review_must_be_requested_within_thirty_days(
    world: World, freeze: Callable[[str], dt.datetime]
) -> None:
    freeze("2025-03-03 10:00")
    case = to_delivered(world, register(world, citizen=world.citizen))
    freeze("2025-04-15 10:00")
    with pytest.raises(ServiceError, match="已超过收到处理意见书之日起三十日"):
        services.case_review_request(actor=world.citizen, case=case, reasons="不服")


def test_the_review_organ_must_be_above_the_handling_unit(world: World) -> None:
    case = to_delivered(world)
    with pytest.raises(ServiceError, match="复查机关应为“示例市住房和城乡建设局”的上级机关") as exc:
        services.case_review_request(
            actor=world.leader, case=case, reasons="不服", review_org=world.county_gov
        )
    assert exc.value.field == "review_org"


def test_a_citizen_requests_review_of_their_own_case(world: World) -> None:
    case = to_delivered(world, register(world, citizen=world.citizen))
    case = services.case_review_request(actor=world.citizen, case=case, reasons="维修方案不合理")
    assert case.status == Status.REVIEWING and case.current_org == world.city_gov
    with pytest.raises(NotAllowed):
        services.case_review_decide(actor=world.handler, case=case, outcome="uphold", opinion="维持")


def test_a_review_decision_needs_a_known_outcome_and_an_opinion(world: World) -> None:
    case = services.case_review_request(actor=world.leader, case=to_delivered(world), reasons="不服")
    with pytest.raises(ServiceError, match="意见“reject”无效"):
        services.case_review_decide(actor=world.leader, case=case, outcome="reject", opinion="x")
    with pytest.raises(ServiceError, match="请填写意见内容"):
        services.case_review_decide(actor=world.leader, case=case, outcome="uphold", opinion=" ")


def test_termination_for_a_lapsed_window_only_after_it_lapsed(
    world: World, freeze: Callable[[str], dt.datetime]
) -> None:
    freeze("2025-03-03 10:00")
    case = to_delivered(world)
    with pytest.raises(ServiceError, match="申请期限尚未届满"):
        services.case_terminate(actor=world.handler, case=case, reason="window_lapsed")
    freeze("2025-04-15 10:00")
    case = services.case_terminate(actor=world.handler, case=case, reason="window_lapsed")
    assert case.status == Status.TERMINATED and case.next_due_at is None


def test_a_terminated_case_refuses_every_action_with_its_state(world: World) -> None:
    case = services.case_terminate(
        actor=world.handler, case=to_delivered(world), reason="petitioner_accepted"
    )
    with pytest.raises(ServiceError, match="当前状态为“已终结”，不能申请复查") as exc:
        services.case_review_request(actor=world.leader, case=case, reasons="x")
    assert exc.value.code == "invalid_state"


def test_refuse_again_after_a_rereview(world: World) -> None:
    from xinfang.orgs.models import Role
    from xinfang.orgs.services import membership_grant

    membership_grant(user=world.leader, org=world.province_gov, role=Role.LEADER)
    earlier = services.case_review_request(actor=world.leader, case=to_delivered(world), reasons="不服")
    earlier = services.case_review_decide(actor=world.leader, case=earlier, outcome="uphold", opinion="维持")
    earlier = services.case_rereview_request(actor=world.leader, case=earlier, reasons="不服")
    earlier = services.case_rereview_decide(
        actor=world.leader, case=earlier, outcome="uphold", opinion="维持"
    )
    case = services.case_refuse_again(
        actor=world.registrar, case=register(world), earlier=earlier, reasons="同一事实和理由"
    )
    assert case.status == Status.REFUSED_AGAIN and case.repeat_of == earlier


def test_links_repeat_and_duplicate_point_at_the_master(world: World) -> None:
    first = register(world)
    second = register(world)
    third = register(world)
    second = services.case_link(actor=world.registrar, case=second, target=first, kind="repeat")
    assert second.repeat_of == first
    services.case_link(actor=world.registrar, case=second, target=first, kind="duplicate")
    third = services.case_link(actor=world.registrar, case=third, target=second, kind="duplicate")
    assert third.duplicate_of == first  # the master, not the follower
    assert set(first.followers.all()) == {second, third}
    with pytest.raises(ServiceError, match="重复信访只能关联更早登记的信访件"):
        services.case_link(actor=world.registrar, case=first, target=third, kind="repeat")
    with pytest.raises(NotAllowed):
        services.case_link(actor=world.other_clerk, case=third, target=first, kind="repeat")


def test_the_accused_unit_cannot_be_the_review_organ(world: World) -> None:
    # A department registered an accusation against its own government and handled it itself.
    case = register(
        world, actor=world.handler, org=world.city_housing, nature="accusation", accused_org=world.city_gov
    )
    case = services.case_accept(actor=world.handler, case=case)
    case = reply_approved(actor=world.handler, case=case, reply=a_reply())
    case = services.case_deliver(actor=world.handler, case=case, method="post")
    with pytest.raises(ServiceError, match="被反映单位不能复查") as exc:
        services.case_review_request(actor=world.registrar, case=case, reasons="不服")
    assert exc.value.field == "review_org"


# ---- attachments --------------------------------------------------------------------------


def test_an_attachment_is_stored_with_its_digest_and_logged_without_content(
    world: World, settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    case = register(world)
    attachment = services.case_attach(
        actor=world.registrar, case=case, name="来信原件.pdf", content=b"%PDF-1.4 test", pages=2
    )
    assert attachment.file.read() == b"%PDF-1.4 test"
    event = case.events.last()
    assert (
        event.kind == "attached"
        and event.payload["name"] == "来信原件.pdf"
        and "content" not in event.payload
    )


@pytest.mark.parametrize(
    ("name", "content", "field", "message"),
    [
        ("virus.exe", b"x", "file", "不支持的文件类型"),
        ("空文件.pdf", b"", "file", "文件为空"),
        ("", b"x", "name", "请提供文件名"),
    ],
)
def test_bad_attachments_are_refused_and_leave_nothing(
    world: World, settings: object, tmp_path: object, name: str, content: bytes, field: str, message: str
) -> None:
    import os

    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    case = register(world)
    with pytest.raises(ServiceError, match=message) as exc:
        services.case_attach(actor=world.registrar, case=case, name=name, content=content)
    assert exc.value.field == field
    assert not case.attachments.exists()
    assert not any(files for _root, _dirs, files in os.walk(str(tmp_path)))


def test_a_too_large_attachment_is_refused(world: World, settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    settings.XINFANG_MAX_ATTACHMENT_MB = 1  # type: ignore[attr-defined]
    with pytest.raises(ServiceError, match="文件不能超过 1 MB"):
        services.case_attach(
            actor=world.registrar, case=register(world), name="大.pdf", content=b"x" * (1024 * 1024 + 1)
        )


def test_an_unrelated_clerk_cannot_attach(world: World, settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    with pytest.raises(NotAllowed):
        services.case_attach(actor=world.other_clerk, case=register(world), name="a.pdf", content=b"x")


def test_the_bureau_records_a_rating_taken_by_phone_and_the_rated_unit_may_not(world: World) -> None:
    case = to_delivered(world)
    with pytest.raises(NotAllowed, match="被评价的责任单位"):
        services.case_rate(actor=world.handler, case=case, track="unit", value="basically", reason="偏慢")
    services.case_rate(actor=world.registrar, case=case, track="unit", value="basically", reason="偏慢")
    assert case.ratings.get().value == "basically"
    with pytest.raises(NotAllowed):
        services.case_rate(actor=world.other_clerk, case=case, track="bureau", value="satisfied")


def test_query_codes_are_ten_symbols_of_the_spoken_alphabet() -> None:
    from xinfang.cases.services.registration import _QUERY_ALPHABET, random_query_codes

    codes = random_query_codes(2000)
    assert len(codes) == 2000 and all(len(code) == 10 and set(code) <= set(_QUERY_ALPHABET) for code in codes)
    assert len(set(codes)) == 2000  # 50 random bits each
    # every symbol turns up about equally often (each carries five random bits)
    counts = Counter("".join(codes))
    assert set(counts) == set(_QUERY_ALPHABET)
    assert max(counts.values()) < 2 * min(counts.values())
    assert random_query_codes(0) == [] and len(random_query_codes(1)) == 1
