from __future__ import annotations

from typing import Any

import pytest

from xinfang.cases.tests.helpers import register
from xinfang.testing.world import PASSWORD, World

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_pages_fit_a_phone_screen(live_server: Any, world: World, page: Any) -> None:
    case = register(world)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "registrar")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for path in ("/", "/cases/", f"/cases/{case.pk}/"):
        page.goto(f"{live_server.url}{path}")
        # The navigation wraps into a row of its own instead of one character per line, and
        # nothing makes the page wider than the screen (wide tables scroll in their box).
        assert page.locator("header.topbar").bounding_box()["height"] < 120, path
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
