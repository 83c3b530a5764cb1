"""The reception hall in the browser: a group takes a number, its 诉求单 is filled on the tablet
page and registered as a case, the duty leaders of two stationed units receive it jointly with a
lead unit and resolve it on the spot; a lawyer's consultation is logged; a labour dispute is
guided into 劳动人事争议仲裁 and the 不予受理告知书 names it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from xinfang.cases.models import Case, Status
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import category, register
from xinfang.reception.legal_routes import DEFAULT_ROUTES_CSV, load_routes
from xinfang.reception.models import (
    JointOutcome,
    JointReception,
    Lawyer,
    LawyerConsultation,
    LegalGuidance,
    LegalRoute,
    Ticket,
)
from xinfang.reception.tests.helpers import build_hall_world
from xinfang.testing.world import PASSWORD, World

pytestmark = pytest.mark.browser


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _text_of(path: Path) -> str:
    document = Document(io.BytesIO(path.read_bytes()))
    return "\n".join(p.text for p in document.paragraphs)


@pytest.mark.django_db(transaction=True)
def test_a_group_at_the_hall_a_lawyer_and_a_labour_matter_guided_to_arbitration(
    live_server: Any, world: World, page: Any, tmp_path: Path
) -> None:
    # The transactional test flushed the code table and the guide; reload both.
    labour = category("040100")
    if not LegalRoute.objects.exists():
        load_routes(
            DEFAULT_ROUTES_CSV.read_text(encoding="utf-8"),
            route_model=LegalRoute,
            category_model=type(labour),
        )
    hw = build_hall_world(world)
    base = live_server.url
    _login(page, base, hw.clerk.username)

    # A group of six takes a number at the desk.
    page.click("nav >> text=接访大厅")
    page.click(f"text={hw.hall.name}")
    page.click("text=排队叫号")
    page.fill("input[name=headcount]", "6")
    page.click("button:has-text('取号')")
    page.wait_for_selector(".messages .success")
    ticket = Ticket.objects.get()
    assert ticket.number == "A001" and ticket.headcount == 6

    # Its 诉求单 on the tablet page: a group of six names representatives; a missing name is refused.
    page.goto(f"{base}/reception/halls/{hw.hall.pk}/queue/{ticket.pk}/form/")
    page.fill("input[name=people-0-phone]", "13900139001")
    page.fill("input[name=subject]", "小区配套停车场被改建为商铺")
    page.fill("textarea[name=request]", "请求恢复停车场用途，并核查规划变更。")
    page.click("button:has-text('保存诉求单')")
    assert page.locator(".field-error, .row-error, .error").count() > 0
    page.click("details.more-people summary")
    for row, (name, phone) in enumerate((("邓建国", "13900139001"), ("曹春梅", "13900139002"))):
        page.fill(f"input[name=people-{row}-name]", name)
        page.fill(f"input[name=people-{row}-phone]", phone)
    page.fill("textarea[name=facts]", "开发商未经业主同意将规划停车场改建为商铺出售。")
    page.click("button:has-text('保存诉求单')")
    page.wait_for_selector(".messages .success")
    ticket.refresh_from_db()
    assert ticket.people.count() == 2 and ticket.form_filled_at is not None

    # Called to the joint reception room, then registered as a case in one step.
    page.goto(f"{base}/reception/halls/{hw.hall.pk}/queue/{ticket.pk}/")
    page.fill("input[name=window]", "联合接访室")
    page.click("form[action$='/call/'] button:has-text('叫号')")
    page.wait_for_selector(".messages .success")
    page.goto(f"{base}/reception/halls/{hw.hall.pk}/queue/{ticket.pk}/")
    page.select_option("select[name=nature]", "appeal")
    page.select_option("select[name=category]", "030100")
    page.select_option("select[name=problem_region]", world.county.code)
    page.click("button:has-text('登记为信访件')")
    page.wait_for_url(f"{base}/cases/*/")
    case = Case.objects.get(registered_org=world.county_bureau)
    assert case.headcount == 6 and case.petitioners.count() == 2 and case.channel == "visit"

    # From the case page: a joint reception with the housing bureau leading, labour assisting.
    page.click("text=组织联合接访")
    page.select_option("select[name=lead_org]", str(hw.housing.pk))
    page.select_option("select[name=assist-0-org]", str(hw.labour.pk))
    page.fill("input[name=assist-0-task], textarea[name=assist-0-task]", "核查涉及的务工人员安置")
    page.fill("textarea[name=plan]", "住建局牵头，现场调阅规划许可，答复群众。")
    page.click("button:has-text('召集')")
    page.wait_for_selector(".messages .success")
    joint = JointReception.objects.get()
    assert joint.lead_org == hw.housing and joint.units.count() == 2

    # Both duty leaders come; the lead unit answers on the spot.
    for org, person in ((hw.housing, "冯科长"), (hw.labour, "郑科长")):
        form = page.locator(f"form[action$='/attendance/']:has(input[name=org][value='{org.pk}'])")
        if form.locator("input[name=attendee]").count():
            form.locator("input[name=attendee]").fill(person)
        form.locator("button[type=submit]").first.click()
        page.wait_for_selector(".messages .success")
    page.select_option("select[name=outcome]", "on_spot")
    page.fill("textarea[name=note]", "现场调阅规划许可，开发商承诺恢复停车场。")
    page.select_option("select[name=reply_outcome]", "support")
    page.fill("textarea[name=reply_request]", "恢复停车场用途。")
    page.fill("textarea[name=reply_facts]", "规划许可载明该处为配套停车场，改建未经批准。")
    page.fill("textarea[name=reply_reasons]", "应恢复规划用途。")
    page.fill("textarea[name=reply_legal_basis]", "《中华人民共和国城乡规划法》第四十三条")
    page.click("form[action$='/conclude/'] button[type=submit]")
    page.wait_for_selector(".messages .success")
    joint.refresh_from_db()
    case.refresh_from_db()
    assert joint.outcome == JointOutcome.ON_SPOT and case.status == Status.REPLIED
    assert case.events.get(kind="answered").payload["reasons"].startswith("经牵头单位青山县住房和城乡建设局")
    page.goto(f"{base}/cases/{case.pk}/")
    panel = page.locator("#reception").inner_text()
    assert "牵头单位 青山县住房和城乡建设局" in panel and "现场解决" in panel

    # A lawyer on the rota gives a consultation, logged at the hall.
    lawyer = Lawyer.objects.create(
        hall=hw.hall,
        name="钱明律",
        firm="青山律师事务所",
        licence_number="13301201810123456",
        weekdays="1,2,3,4,5,6,7",
    )
    page.goto(f"{base}/reception/halls/{hw.hall.pk}/lawyers/")
    page.click("text=登记律师接访")
    page.select_option("select[name=lawyer]", str(lawyer.pk))
    page.fill("input[name=persons]", "2")
    page.fill("input[name=topic]", "拖欠工资如何维权")
    page.fill("textarea[name=advice]", "可向劳动人事争议仲裁委员会申请仲裁，并保留考勤和工资记录。")
    page.check("input[name=legal_aid_referred]")
    page.click("button:has-text('登记')")
    page.wait_for_selector(".messages .success")
    consultation = LawyerConsultation.objects.get()
    assert consultation.persons == 2 and consultation.legal_aid_referred

    # A labour dispute registered at the county bureau is guided into 劳动人事争议仲裁.
    dispute = register(
        world,
        actor=hw.clerk,
        org=world.county_bureau,
        category=labour,
        subject="公司解除劳动合同未支付经济补偿",
        content="公司以经营困难为由解除劳动合同，未支付经济补偿和拖欠的工资。",
        petitioners=[PetitionerInput(name="严卫东", phone="13700137002")],
    )
    page.goto(f"{base}/cases/{dispute.pk}/act/decline/")
    chosen = page.locator("select[name=legal_channel] option:checked").inner_text()
    assert "劳动人事争议仲裁" in chosen  # the guide's suggestion, preselected
    page.fill("textarea[name=reasons]", "该事项属于劳动争议，依法应当申请劳动人事争议仲裁。")
    page.click("button:has-text('确认不予受理')")
    page.wait_for_url(f"{base}/cases/{dispute.pk}/")
    dispute.refresh_from_db()
    guidance = LegalGuidance.objects.get(case=dispute)
    assert (
        dispute.status == Status.DECLINED and guidance.route_name == "劳动人事争议仲裁" and guidance.suggested
    )
    with page.expect_download() as info:
        page.click("a:has-text('不予受理告知书（.docx）')")
    path = tmp_path / "notice.docx"
    info.value.save_as(str(path))
    text = _text_of(path)
    assert "劳动人事争议仲裁" in text and "劳动争议调解仲裁法" in text and "仲裁委员会" in text
