"""In a real browser, the Content-Security-Policy breaks nothing and nothing comes from outside."""

from __future__ import annotations

from typing import Any

import pytest

from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant
from xinfang.testing.world import PASSWORD, World

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_pages_the_back_office_and_the_api_docs_work_under_the_policy_from_this_server_only(
    live_server: Any, world: World, page: Any
) -> None:
    base = live_server.url
    membership_grant(user=world.registrar, org=world.city_bureau, role=Role.ADMIN)
    violations: list[str] = []
    outside: list[str] = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith((base, "data:", "blob:")) else None
        ),
    )

    page.goto(f"{base}/login/")
    page.fill("input[name=username]", world.registrar.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    for path in ["/cases/", "/cases/new/", "/deadlines/", "/admin/", "/admin/orgs/org/add/"]:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        assert "default-src 'self'" in (response.headers.get("content-security-policy") or "")

    page.goto(f"{base}/api/v1/docs")
    # Swagger UI ran (its script is served here) and drew the operations from our schema.
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert "Xinfang API" in page.locator(".swagger-ui .info").inner_text()

    assert violations == []
    assert outside == []
