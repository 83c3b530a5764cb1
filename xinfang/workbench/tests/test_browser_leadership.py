"""The leaders' work in the browser: a bureau head schedules 陈副市长's reception day, two visitors
are received (one registered there, one with an earlier case), the leader takes one as 包案,
records progress and marks it 已化解."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import category, register
from xinfang.core.timeutil import LOCAL_TZ, local_date, now
from xinfang.leadership.models import Ownership, ReceptionDay, ReceptionVisit
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


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db(transaction=True)
def test_a_reception_day_two_visitors_and_a_resolved_ownership(
    live_server: Any, world: World, page: Any, tmp_path: Path
) -> None:
    category("030100")  # the transactional test flushed the code table; reload it
    base = live_server.url
    earlier = register(world, subject="小区电梯长期停运")

    # The bureau head puts 陈副市长's reception day on the schedule (it has begun: visitors wait).
    _login(page, base, "bureau_head")
    page.click("nav >> text=领导工作")
    page.click("text=领导接访日")
    page.click("text=安排领导接访")
    page.select_option("select[name=leader]", label="陈副市长（示例市人民政府）")
    page.fill("input[name=leader_title]", "副市长")
    page.fill("input[name=starts_at]", _local(now() - dt.timedelta(minutes=30)))
    page.fill("input[name=ends_at]", _local(now() + dt.timedelta(hours=2)))
    page.click("button:has-text('安排接访')")  # no place: refused on the form
    assert "请填写接访地点" in page.locator(".field-error").first.inner_text()
    page.fill("input[name=place]", "示例市群众来访接待中心")
    page.fill("input[name=topics]", "住房保障")
    page.click("button:has-text('安排接访')")
    page.wait_for_selector(".messages .success")
    day = ReceptionDay.objects.get()

    # The first visitor brings a new matter: registered at the day as a 走访.
    page.click("text=登记新来访事项")
    page.select_option("select[name=rv-outcome]", "assigned")
    page.fill("textarea[name=rv-note]", "请市住建局一周内答复。")
    page.select_option("select[name=nature]", "appeal")
    page.select_option("select[name=category]", "030100")
    page.select_option("select[name=problem_region]", world.county.code)
    page.fill("input[name=subject]", "回迁安置房延期交付")
    page.fill("textarea[name=content]", "征收协议约定去年底交付回迁房，至今未交付，请求领导督促。")
    page.fill("input[name=p-0-name]", "钱晓梅")
    page.fill("input[name=p-0-phone]", "13700137001")
    page.click("button:has-text('登记')")
    page.wait_for_url(f"{base}/leadership/reception-days/{day.pk}/")
    assert "已登记并记入本次接访" in page.locator(".messages").inner_text()

    # The second brings the earlier case again.
    page.fill("input[name=number]", earlier.number)
    page.select_option("select[name=outcome]", "explained")
    page.fill("input[name=headcount]", "2")
    page.click("button:has-text('记入本次接访')")
    page.wait_for_selector(".messages .success")
    visits = page.locator("text=接访登记（2 批）")
    assert visits.count() == 1
    page.screenshot(path=str(tmp_path / "reception-day.png"), full_page=True)
    assert ReceptionVisit.objects.count() == 2
    new_case = Case.objects.exclude(pk=earlier.pk).get()
    assert new_case.channel == "visit"
    _logout(page, base)

    # 陈副市长 takes the earlier case as 包案, records progress and marks it 已化解.
    _login(page, base, "leader")
    assert "下次接访" in page.locator("main").inner_text()
    page.goto(f"{base}/cases/{earlier.pk}/")
    page.click("#leadership >> text=登记包案")
    page.fill("input[name=target_on]", (local_date() + dt.timedelta(days=30)).isoformat())
    page.fill("textarea[name=plan]", "约谈物业公司和市场监管部门，两周内恢复电梯运行。")
    page.click("button:has-text('登记包案')")
    page.wait_for_selector(".messages .success")
    page.fill("textarea[name=text]", "已约谈物业公司，电梯维修已启动。")
    page.click("button:has-text('记录进展')")
    page.wait_for_selector(".messages .success")
    assert "化解中" in page.locator(".meta").inner_text()
    page.fill("textarea[name=evidence]", "电梯已恢复运行，信访人签字确认。")
    page.click("button:has-text('认定已化解')")  # without the petitioner's word: refused
    assert (
        "须有信访人的确认或评价" in page.locator("#resolve .field-error, #resolve .error").first.inner_text()
    )
    page.fill("textarea[name=evidence]", "电梯已恢复运行，信访人签字确认。")
    page.check("input[name=petitioner_confirmed]")
    page.select_option("select[name=petitioner_rating]", "满意")
    page.click("button:has-text('认定已化解')")
    page.wait_for_selector(".messages .success")
    page.screenshot(path=str(tmp_path / "ownership.png"), full_page=True)
    assert Ownership.objects.get().state == "resolved"
    page.goto(f"{base}/cases/{earlier.pk}/")
    panel = page.locator("#leadership").inner_text()
    assert "陈副市长" in panel and "已化解" in panel
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/leadership/ownerships/?tab=resolved")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
