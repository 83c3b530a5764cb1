"""The browser tests' page: headless Chromium, skipped locally without it, required in CI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from xinfang.testing.browser import chromium_missing_reason, chromium_page


@pytest.fixture
def page() -> Iterator[Any]:
    reason = chromium_missing_reason()
    if reason and os.environ.get("CI"):
        pytest.fail(reason)  # CI must run the browser tests, never skip them
    if reason:
        pytest.skip(reason)
    with chromium_page() as page:
        yield page
