"""The citizen's whole way in a real browser, at desktop and phone width: register, write with an
attachment, follow the case while staff handle it, read the reply, rate it, ask for 复查, read the
复查意见. The staff's steps are taken through the services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xinfang.cases import services
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import a_reply, category, reply_approved
from xinfang.core import sms
from xinfang.portal.tests.helpers import ID_NUMBER, PASSWORD, last_code
from xinfang.testing.world import World

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_citizen_registers_writes_follows_rates_and_asks_for_review(
    live_server: Any, world: World, page: Any, tmp_path: Path, viewport: str, settings: Any
) -> None:
    # The worker's jobs run at once, so the petitioner's text messages are in the outbox.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}
    }
    category("030100")  # the transactional test flushed the code table; reload it
    base = live_server.url
    page.set_viewport_size(VIEWPORTS[viewport])
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    shot = 0

    def screenshot(name: str) -> None:
        nonlocal shot
        shot += 1
        page.screenshot(path=str(tmp_path / f"{shot:02d}-{viewport}-{name}.png"), full_page=True)
        if viewport == "phone":  # nothing is wider than the phone
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, name

    # Register with a code read from the SMS outbox.
    page.goto(f"{base}/portal/")
    screenshot("home")
    page.click("header >> text=注册")
    page.fill("input[name=phone]", "13800138000")
    page.click("button:has-text('获取验证码')")
    page.wait_for_selector(".notice")
    page.fill("input[name=code]", last_code("13800138000"))
    page.fill("input[name=full_name]", "张三")
    page.fill("input[name=id_number]", "110105194912310021")  # a wrong check digit
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('注册并登录')")
    error = page.locator("#id_id_number-error")
    assert "校验位" in error.inner_text()
    assert page.get_attribute("input[name=id_number]", "aria-invalid") == "true"
    assert page.input_value("input[name=full_name]") == "张三"
    screenshot("register-refused")
    page.fill("input[name=id_number]", ID_NUMBER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('注册并登录')")
    page.wait_for_url(f"{base}/portal/")

    # Write, with an attachment.
    page.click("header >> text=我要写信")
    page.wait_for_url(f"{base}/portal/submit/")
    page.select_option("select[name=problem_region]", str(world.county.pk))
    page.select_option("select[name=category]", str(category("030000").pk))
    # The county bureau takes no online submissions here: the city's bureau is suggested.
    assert "示例市信访局" in page.inner_text("#organ-suggested")
    page.click("#organ-take")
    assert page.input_value("select[name=org]") == str(world.city_bureau.pk)
    page.check("input[name=nature][value=appeal]")
    page.fill("input[name=subject]", "小区楼道灯长期不亮")
    content = "楼道灯坏了三个月，物业一直不修，老人晚上出行不安全。"
    page.fill("textarea[name=content]", content)
    assert f"已输入 {len(content)} 字" in page.inner_text("#id_content-count")
    page.set_input_files(
        "input[name=files]", files=[{"name": "照片.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.check("input[name=consent]")
    screenshot("submit-filled")
    page.click("button:has-text('提交')")
    page.wait_for_selector("text=提交成功")
    case = Case.objects.get()
    text = page.inner_text("main")
    assert case.number in text and case.query_code in text and "前告知是否受理" in text
    assert case.attachments.count() == 1 and case.channel == "online"
    screenshot("submitted")

    # Staff accept, forward, reply and deliver.
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    case = services.case_accept(actor=world.handler, case=case)
    case = reply_approved(actor=world.handler, case=case, reply=a_reply())
    case = services.case_deliver(actor=world.handler, case=case, method="online")

    # The citizen reads the reply, rates it 不满意 with a reason, and asks for 复查.
    page.click("header >> text=我的信访")
    page.click(f"text={case.subject}")
    assert "信访处理意见书" in page.inner_text("main")
    with page.expect_download() as download:
        page.click("text=下载（Word）")
    assert download.value.suggested_filename.endswith(".docx")
    unit_form = page.locator("form", has=page.locator("input[name=track_key][value=unit]"))
    unit_form.locator("input[value=dissatisfied]").check()
    unit_form.locator("button").click()
    assert "理由" in page.locator("#id_unit-reason-error").inner_text()
    unit_form = page.locator("form", has=page.locator("input[name=track_key][value=unit]"))
    unit_form.locator("input[value=dissatisfied]").check()
    unit_form.locator("textarea").fill("楼道灯修好后又坏了")
    unit_form.locator("button").click()
    page.wait_for_selector("text=感谢您的评价")
    screenshot("rated")
    page.click("a.button:has-text('申请复查')")
    page.fill("textarea[name=reasons]", "维修不彻底，请上级机关复查。")
    screenshot("appeal")
    page.click("button:has-text('提交申请')")
    page.wait_for_selector("text=申请已提交")
    case.refresh_from_db()
    assert case.status == "reviewing" and case.ratings.get().value == "dissatisfied"

    # The 复查 organ decides; the citizen reads its opinion.
    services.case_review_decide(actor=world.leader, case=case, outcome="redo", opinion="责令重新维修并回复。")
    page.reload()
    assert "责令重新维修并回复" in page.inner_text("main")
    screenshot("reviewed")

    # The registration code, then a text at each step that concerns the petitioner, in order.
    assert {m.phone for m in sms.outbox} == {"13800138000"}
    expected = ["注册", "登记", "办理，该单位将在", "受理，将在", "出具处理意见", "复查请求", "复查意见（"]
    texts = [m.text for m in sms.outbox]
    assert len(texts) == len(expected), texts
    for text, words in zip(texts, expected, strict=True):
        assert words in text, (words, text)
    assert violations == []
