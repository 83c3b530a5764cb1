"""Headless Debian Chromium for browser tests (Playwright's own browser download is not used)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = os.environ.get("XINFANG_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium keeps trying to reach outside services that a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_missing_reason() -> str | None:
    if shutil.which(CHROMIUM) is None and not os.path.exists(CHROMIUM):
        return (
            f"Chromium not found at {CHROMIUM}; `make test` installs Debian's chromium (bin/ensure-chromium)."
        )
    return None


@contextmanager
def chromium_page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 800})
            yield page
        finally:
            browser.close()
            # Inside the running loop Django keeps its connections per loop, not per thread: the ORM
            # calls the test made here opened a connection of their own, which only this context can
            # close. Left open, PostgreSQL refuses to drop the test database at the end.
            from django.db import connections

            connections.close_all()
