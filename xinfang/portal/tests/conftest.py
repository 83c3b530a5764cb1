from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """Each test counts its own attempts: the limits live in the (per-process) cache."""
    cache.clear()
    yield
    cache.clear()


# The browser tests' headless Chromium page, shared with the workbench's.
from xinfang.workbench.tests.conftest import page  # noqa: E402, F401
