"""网上信访 through the case services: registration at the chosen organ, idempotency, attachments
checked by content, 查重 against one's own matters, supplements, rating and appeals."""

from __future__ import annotations

from typing import Any

import pytest

from xinfang.cases import services
from xinfang.cases.models import Case, Channel, IdempotencyKey, Status
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import a_reply, category, reply_approved
from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.orgs.models import User
from xinfang.portal import submissions
from xinfang.portal.selectors import case_by_code, case_view, suggested_organ
from xinfang.portal.tests.helpers import OTHER_ID, citizen

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SUBJECT = "小区楼道灯长期不亮"
CONTENT = (
    "我家住在青山县城关镇幸福小区3号楼，楼道灯已经坏了三个月，多次向物业反映没有人修，老人晚上出行很不安全。"
)


def submit(world: Any, user: User, token: str = "t-1", **overrides: Any) -> tuple[Case, bool]:
    fields: dict[str, Any] = {
        "citizen": user,
        "ip": "10.0.0.1",
        "token": token,
        "org": world.city_bureau,
        "nature": "appeal",
        "category": category("030100"),
        "subject": SUBJECT,
        "content": CONTENT,
        "problem_region": world.county,
    }
    fields.update(overrides)
    return submissions.submit(**fields)


def test_a_submission_is_an_online_case_at_the_chosen_organs_intake(world: Any, freeze: Any) -> None:
    freeze("2026-12-01 10:00")
    user = citizen()
    case, created = submit(world, user, files=[("照片.png", PNG)])
    assert created
    assert case.channel == Channel.ONLINE and case.status == Status.REGISTERED
    assert case.registered_org == world.city_bureau and case.current_org == world.city_bureau
    assert case.citizen == user and case.registered_by == user
    first = case.events.order_by("seq").first()
    assert first.kind == "registered" and first.payload["online"] is True
    person = case.petitioners.get()
    assert person.id_number_hash  # the verified identity is the petitioner's
    assert case.attachments.get().name == "照片.png"
    # The 15-day clock runs from the submission (第二十二条).
    route = next(d for d in case_view(case, user).due_dates if d.label.startswith("交转办"))
    assert route.text == "2026年12月16日"


def test_a_resubmitted_form_registers_nothing_twice(world: Any) -> None:
    user = citizen()
    first, created = submit(world, user, token="same")
    again, created_again = submit(world, user, token="same", files=[("照片.png", PNG)])
    assert created and not created_again and again.pk == first.pk
    assert Case.objects.count() == 1 and IdempotencyKey.objects.count() == 1
    assert not first.attachments.exists()


def test_cosigners_raise_the_headcount_and_named_ones_are_petitioners(world: Any) -> None:
    case, _ = submit(
        world,
        citizen(),
        cosigner_count=6,
        cosigners=[PetitionerInput(name="李四"), PetitionerInput(name="王五", phone="139-0013-9000")],
    )
    assert case.headcount == 7
    assert case.petitioners.count() == 3
    assert [p.phone for p in case.petitioners.all()] == ["13800138000", "", "13900139000"]


def test_attachments_are_checked_by_content_not_by_name(world: Any) -> None:
    user = citizen()
    with pytest.raises(ServiceError, match="内容与其类型") as exc:
        submit(world, user, files=[("照片.jpg", b"MZ\x90\x00 a program")])
    assert exc.value.field == "files"
    with pytest.raises(ServiceError, match="不支持的文件类型"):
        submit(world, user, files=[("a.exe", b"MZ")])
    with pytest.raises(ServiceError, match="最多上传 5 个"):
        submit(world, user, files=[(f"{i}.png", PNG) for i in range(6)])
    assert not Case.objects.exists()  # nothing half-written


def test_a_file_over_the_size_limit_is_refused(world: Any, settings: Any) -> None:
    settings.XINFANG_MAX_ATTACHMENT_MB = 1
    with pytest.raises(ServiceError, match="不能超过 1 MB"):
        submit(world, citizen(), files=[("大.png", PNG + b"\x00" * 1024 * 1024)])


def test_submission_is_rate_limited_per_account(world: Any, settings: Any) -> None:
    settings.XINFANG_PORTAL_LIMITS = {"submit_account": (2, 86400)}
    user = citizen()
    submit(world, user, token="a")
    submit(world, user, token="b", subject="另一件事")
    with pytest.raises(ServiceError, match="提交的事项较多") as exc:
        submit(world, user, token="c", subject="第三件事")
    assert exc.value.code == "throttled"


def test_only_an_organ_with_an_intake_takes_submissions(world: Any) -> None:
    with pytest.raises(ServiceError, match="暂不接收网上信访") as exc:
        submit(world, citizen(), org=world.county_labour)
    assert exc.value.field == "org"


def test_a_citizen_cannot_register_through_the_staff_service(world: Any) -> None:
    user = citizen()
    with pytest.raises(NotAllowed):
        services.case_register(
            actor=user,
            org=world.city_bureau,
            channel="online",
            nature="appeal",
            category=category("030100"),
            subject=SUBJECT,
            content=CONTENT,
            problem_region=world.county,
            petitioners=[services.PetitionerInput(name="张三")],
            citizen=user,
        )


def test_the_suggested_organ_is_the_nearest_petition_bureau_with_an_intake(world: Any) -> None:
    assert suggested_organ(world.town) == world.city_bureau  # the county bureau has no registrar
    assert suggested_organ(None) is None


def test_duplicates_are_found_among_the_citizens_own_matters_only(world: Any) -> None:
    user = citizen()
    first, _ = submit(world, user)
    found = submissions.similar_matters(user, subject=SUBJECT, content=CONTENT)
    assert [s.number for s in found] == [first.number] and found[0].is_open
    other = citizen(phone="13900139000", name="李四", id_number=OTHER_ID)
    assert submissions.similar_matters(other, subject=SUBJECT, content=CONTENT) == []
    assert (
        submissions.similar_matters(user, subject="退休金发放问题", content="退休工资三个月没有发放。") == []
    )


def test_material_is_added_to_an_open_case_of_ones_own(world: Any) -> None:
    user = citizen()
    case, _ = submit(world, user)
    submissions.supplement(citizen=user, case=case, files=[("补充.png", PNG)])
    assert case.attachments.count() == 1
    other = citizen(phone="13900139000", name="李四", id_number=OTHER_ID)
    with pytest.raises(NotAllowed):
        submissions.supplement(citizen=other, case=case, files=[("补充.png", PNG)])


def test_no_material_is_added_to_a_closed_case(world: Any) -> None:
    user = citizen()
    case, _ = submit(world, user)
    case = services.case_decline(
        actor=world.registrar,
        case=case,
        reasons="属于民事纠纷，应向人民法院起诉。",
        legal_channel="litigation",
    )
    with pytest.raises(ServiceError):
        submissions.supplement(citizen=user, case=case, files=[("补充.png", PNG)])


def _delivered(world: Any, user: User) -> Case:
    case, _ = submit(world, user)
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    case = services.case_accept(actor=world.handler, case=case)
    case = reply_approved(actor=world.handler, case=case, reply=a_reply())
    return services.case_deliver(actor=world.handler, case=case, method="online")


def test_the_reply_is_downloadable_once_delivered_and_the_petitioner_rates_it(world: Any) -> None:
    user = citizen()
    case, _ = submit(world, user)
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    case = services.case_accept(actor=world.handler, case=case)
    case = reply_approved(actor=world.handler, case=case, reply=a_reply())
    assert "reply_opinion" not in dict(case_view(case, user).documents)
    case = services.case_deliver(actor=world.handler, case=case, method="online")
    view = case_view(case, user)
    assert "reply_opinion" in dict(view.documents)
    assert [t for t, _ in view.ratable_tracks] == ["bureau", "unit"]
    with pytest.raises(ServiceError, match="理由") as exc:
        submissions.rate(citizen=user, case=case, track="unit", value="dissatisfied", reason="")
    assert exc.value.field == "reason"
    submissions.rate(citizen=user, case=case, track="unit", value="dissatisfied", reason="墙体仍然渗水")
    assert [t for t, _ in case_view(case, user).ratable_tracks] == ["bureau"]
    assert view.appeal == "review"


def test_review_and_rereview_are_asked_with_reasons_and_attachments(world: Any) -> None:
    user = citizen()
    case = _delivered(world, user)
    with pytest.raises(ServiceError, match="理由"):
        submissions.appeal(citizen=user, case=case, stage="review", reasons="", files=[])
    case = submissions.appeal(
        citizen=user, case=case, stage="review", reasons="维修不彻底", files=[("照片.png", PNG)]
    )
    assert case.status == Status.REVIEWING and case.review_org == world.city_gov
    assert case.attachments.count() == 1
    case = services.case_review_decide(
        actor=world.leader, case=case, outcome="uphold", opinion="维持原处理意见。"
    )
    view = case_view(case, user)
    assert "维持原处理意见" in view.opinion and view.appeal == "rereview"
    assert "review_opinion" in dict(view.documents)


def test_an_appeal_after_thirty_days_is_refused_politely(world: Any, freeze: Any) -> None:
    freeze("2026-03-02 09:00")
    user = citizen()
    case = _delivered(world, user)
    freeze("2026-04-10 09:00")
    view = case_view(case, user)
    assert view.appeal == "" and "届满" in view.appeal_lapsed
    with pytest.raises(ServiceError, match="三十日"):
        submissions.appeal(citizen=user, case=case, stage="review", reasons="不服", files=[])


def test_another_citizen_cannot_rate_or_appeal(world: Any) -> None:
    user = citizen()
    case = _delivered(world, user)
    other = citizen(phone="13900139000", name="李四", id_number=OTHER_ID)
    with pytest.raises(NotAllowed):
        submissions.rate(citizen=other, case=case, track="unit", value="satisfied", reason="")
    with pytest.raises(NotAllowed):
        submissions.appeal(citizen=other, case=case, stage="review", reasons="不服", files=[])
    assert case_view(case, other).ratable_tracks == [] and case_view(case, other).appeal == ""


def test_a_code_lookup_needs_the_number_and_its_code(world: Any) -> None:
    case, _ = submit(world, citizen())
    assert case_by_code(number=case.number, code=case.query_code.lower(), ip="10.0.0.1") == case
    assert case_by_code(number=case.number, code="WRONGCODE1", ip="10.0.0.1") is None
    assert case_by_code(number="000000", code=case.query_code, ip="10.0.0.1") is None


def test_code_lookups_are_rate_limited(world: Any, settings: Any) -> None:
    settings.XINFANG_PORTAL_LIMITS = {"lookup_ip": (3, 900)}
    case, _ = submit(world, citizen())
    for _ in range(3):
        case_by_code(number=case.number, code="WRONG", ip="10.0.0.7")
    with pytest.raises(ServiceError, match="查询过于频繁"):
        case_by_code(number=case.number, code=case.query_code, ip="10.0.0.7")


def test_the_petitioner_sees_their_own_material_in_the_timeline_not_the_organs(world: Any) -> None:
    user = citizen()
    case, _ = submit(world, user, files=[("照片.png", PNG)])
    services.case_attach(actor=world.registrar, case=case, name="内部笔录.pdf", content=b"%PDF-1.4 x")
    steps = [s.text for s in case_view(case, user).steps]
    assert steps.count("补充材料") == 1
