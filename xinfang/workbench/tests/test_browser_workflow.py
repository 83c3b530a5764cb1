from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import ID_NUMBER, category, to_accepted
from xinfang.testing.world import PASSWORD, World

pytestmark = pytest.mark.browser


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _logout(page: Any, base: str) -> None:
    page.click("text=退出登录")
    page.wait_for_url(f"{base}/login/")


@pytest.mark.django_db(transaction=True)
def test_a_group_visit_is_registered_forwarded_accepted_and_replied(
    live_server: Any, world: World, page: Any, tmp_path: Path
) -> None:
    category("030100")  # the transactional test flushed the code table; reload it
    base = live_server.url
    shot = 0

    def screenshot(name: str) -> None:
        nonlocal shot
        shot += 1
        page.screenshot(path=str(tmp_path / f"{shot:02d}-{name}.png"), full_page=True)

    # The registrar at the reception desk registers a group visit of 8 with 2 representatives.
    _login(page, base, "registrar")
    page.click("nav.topnav >> text=登记信访事项")
    page.wait_for_url(f"{base}/cases/new/")
    page.select_option("select[name=channel]", "visit")
    page.select_option("select[name=nature]", "appeal")
    page.select_option("select[name=category]", "030100")
    page.select_option("select[name=problem_region]", world.county.code)
    page.fill("input[name=subject]", "青山县某小区业主集体反映房屋质量问题")
    page.fill(
        "textarea[name=content]", "小区 8 户业主反映住房墙体开裂、渗水，多次向开发商反映未果，请求督促维修。"
    )
    page.fill("input[name=headcount]", "8")
    people = [
        ("张三", ID_NUMBER, "13800138000", True),
        ("李四", "", "13900139000", True),
        ("王五", "", "", False),
    ]
    for row, (name, id_number, phone, representative) in enumerate(people):
        page.fill(f"input[name=p-{row}-name]", name)
        page.fill(f"input[name=p-{row}-id_number]", id_number)
        page.fill(f"input[name=p-{row}-phone]", phone)
        page.fill(f"input[name=p-{row}-address]", f"青山县城关镇幸福路{row + 1}号")
        if representative:
            page.check(f"input[name=p-{row}-is_representative]")
    page.fill("input[name=p-1-id_number]", "110105194912310021")  # a wrong check digit
    page.click("button:has-text('登记')")
    row = page.locator("tr[data-row='2']")
    assert "身份证号码校验位不正确" in row.locator(".field-error").inner_text()
    assert not Case.objects.exists()
    screenshot("register-refused")
    page.fill("input[name=p-1-id_number]", "")
    screenshot("register-filled")
    page.click("button:has-text('登记')")
    page.wait_for_selector(".messages .success")
    case = Case.objects.get()
    message = page.locator(".messages .success").inner_text()
    assert f"信访件编号 {case.number}" in message and f"查询码 {case.query_code}" in message
    assert "（集体访）" in page.locator(".facts").first.inner_text()
    assert case.petitioners.filter(is_representative=True).count() == 2 and case.headcount == 8
    screenshot("registered")

    # ... and forwards it to the city housing bureau.
    page.click("a[data-action=forward]")
    page.select_option("select[name=to_org]", label="示例市住房和城乡建设局")
    page.fill("textarea[name=note]", "请依法办理并按期答复。")
    screenshot("forward-form")
    page.click("button:has-text('确认转送')")
    page.wait_for_selector(".messages .success")
    assert page.locator(".status").first.inner_text() == "待受理"
    screenshot("forwarded")
    _logout(page, base)

    # The handler of the housing bureau accepts and replies.
    _login(page, base, "handler")
    page.click("nav.topnav >> text=本单位在办")
    page.click(f"text={case.number}")
    page.click("a[data-action=accept]")
    page.click("button:has-text('确认受理')")
    page.wait_for_selector(".messages .success")
    assert page.locator(".status").first.inner_text() == "办理中"
    page.click("a[data-action=submit_reply_for_approval]")
    page.select_option("select[name=outcome]", "support")
    page.fill("textarea[name=request]", "请求督促开发商维修房屋墙体裂缝和渗水。")
    page.fill("textarea[name=facts]", "经现场核查，8 户房屋外墙存在裂缝，属于保修范围。")
    page.fill("textarea[name=reasons]", "开发商应在保修期内承担维修责任。")
    page.fill("textarea[name=legal_basis]", "《建设工程质量管理条例》第四十条")
    page.check("input[name=tags][value=solved]")
    screenshot("reply-form")
    page.click("button:has-text('确认提交处理意见书审核')")
    page.wait_for_selector(".messages .success")
    assert page.locator(".status").first.inner_text() == "办理中"  # waits for the unit's 审核人
    _logout(page, base)
    _login(page, base, "approver")
    page.goto(f"{base}/approvals/")
    page.click(f"text={case.number}")
    assert "经现场核查" in page.locator("#pending-approvals").inner_text()
    page.click("a[data-action=approve_reply]")
    page.click("button:has-text('确认批准并出具处理意见书')")
    page.wait_for_selector(".messages .success")
    assert page.locator(".status").first.inner_text() == "已答复待送达"
    screenshot("replied")
    case.refresh_from_db()
    assert case.status == "replied" and case.current_org == world.city_housing


@pytest.mark.django_db(transaction=True)
def test_an_extension_request_is_returned_then_approved_and_the_requester_sees_each_outcome(
    live_server: Any, world: World, page: Any
) -> None:
    category("030100")
    base = live_server.url
    case = to_accepted(world)
    # The handler asks for 20 more days.
    _login(page, base, "handler")
    page.goto(f"{base}/cases/{case.pk}/")
    page.click("a[data-action=request_extension]")
    page.fill("input[name=days]", "20")
    page.fill("textarea[name=reason]", "需委托房屋安全鉴定")
    page.click("button:has-text('确认申请延期')")
    page.wait_for_selector(".messages .success")
    assert "需委托房屋安全鉴定" in page.locator("#pending-approvals").inner_text()
    assert page.locator("a[data-action=approve_extension]").count() == 0  # not their own
    _logout(page, base)
    # The approver finds it in the queue and sends it back without a reason first: refused.
    _login(page, base, "approver")
    page.goto(f"{base}/approvals/")
    page.click(f"tr[data-case='{case.pk}'] >> text={case.number}")
    page.click("a[data-action=return_extension]")
    page.wait_for_selector("button:has-text('确认退回延期申请')")
    assert "法定期限" in page.content() and "需委托房屋安全鉴定" in page.content()
    page.click("button:has-text('确认退回延期申请')")
    assert "请填写退回理由" in page.locator(".field-error, .error").first.inner_text()
    page.fill("textarea[name=reason]", "请写明鉴定机构和预计时间")
    page.click("button:has-text('确认退回延期申请')")
    page.wait_for_selector(".messages .success")
    _logout(page, base)
    # The handler sees why, and asks again.
    _login(page, base, "handler")
    page.goto(f"{base}/approvals/")
    assert "已退回" in page.inner_text("table.my-requests")
    assert "请写明鉴定机构和预计时间" in page.inner_text("table.my-requests")
    page.goto(f"{base}/cases/{case.pk}/")
    page.click("a[data-action=request_extension]")
    page.fill("input[name=days]", "20")
    page.fill("textarea[name=reason]", "委托示例市房屋安全鉴定中心，预计 15 日出具报告")
    page.click("button:has-text('确认申请延期')")
    page.wait_for_selector(".messages .success")
    _logout(page, base)
    # Approved: only now is the period extended.
    _login(page, base, "approver")
    page.goto(f"{base}/cases/{case.pk}/act/approve_extension/")
    page.fill("textarea[name=note]", "同意延期 20 日")
    page.click("button:has-text('确认批准延期')")
    page.wait_for_selector(".messages .success")
    case.refresh_from_db()
    assert case.extension_days == 20
    _logout(page, base)
    _login(page, base, "handler")
    page.goto(f"{base}/approvals/")
    assert "已批准" in page.inner_text("table.my-requests")
    assert "同意延期 20 日" in page.inner_text("table.my-requests")
