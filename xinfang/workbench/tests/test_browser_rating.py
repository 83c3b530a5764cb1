"""The 回访 rating in a browser: nothing is chosen when the form opens, an empty or poor rating
without a reason comes back with the error on its field, and the recorded rating shows on the case."""

from __future__ import annotations

from typing import Any

import pytest

from xinfang.cases.models import Rating
from xinfang.cases.tests.helpers import category, to_delivered
from xinfang.testing.world import PASSWORD, World

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_rating_form_has_no_default_and_a_poor_rating_needs_a_reason(
    live_server: Any, world: World, page: Any
) -> None:
    category("030100")  # the transactional test flushed the code table; reload it
    case = to_delivered(world)
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "registrar")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/cases/{case.pk}/")
    page.click("[data-action=rate]")
    page.wait_for_url(f"{base}/cases/{case.pk}/act/rate/")
    # What the browser shows chosen: the empty "请选择" of each list, no verdict.
    assert page.input_value("select[name=track]") == ""
    assert page.input_value("select[name=value]") == ""

    page.click("form.action-form button.primary")
    # The form comes back from the server: wait for it before reading the page.
    page.wait_for_selector("text=请选择评价对象。")
    assert "请选择评价对象。" in page.content() and "请选择评价结果。" in page.content()
    assert not Rating.objects.exists()

    page.select_option("select[name=track]", "unit")
    page.select_option("select[name=value]", "dissatisfied")
    page.click("form.action-form button.primary")
    page.wait_for_selector("text=请记录信访人的理由")
    assert "请记录信访人的理由" in page.content()
    # The form kept what was chosen, so only the reason is missing.
    assert page.input_value("select[name=value]") == "dissatisfied"
    assert not Rating.objects.exists()

    page.fill("textarea[name=reason]", "答复未回应主要诉求")
    page.click("form.action-form button.primary")
    page.wait_for_url(f"{base}/cases/{case.pk}/*")
    rating = Rating.objects.get()
    assert (rating.track, rating.value, rating.reason) == ("unit", "dissatisfied", "答复未回应主要诉求")
    text = page.locator("body").inner_text()
    assert "不满意" in text and "答复未回应主要诉求" in text
