"""Fixtures shared by every test: the personas' world, fast password hashing, frozen time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from hypothesis import settings as hypothesis_settings

from xinfang.testing.clock import beijing
from xinfang.testing.world import World, build_world

# Property tests check properties, not speed: Hypothesis's default 200 ms per example would fail
# them on a busy machine (two test runs at once, a slow CI host). Speed is measured under bench/.
hypothesis_settings.register_profile("xinfang", deadline=None)
hypothesis_settings.load_profile("xinfang")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The production hasher is deliberately slow; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_deadline_data(settings: Any) -> Iterator[None]:
    """Each test reads the calendar and deadline rules as its own transaction has them, and leaves
    no per-process snapshot of its (rolled back) edits behind for the next test."""
    from xinfang.deadlines.selectors import clear_cache

    settings.XINFANG_DEADLINE_RECHECK_SECONDS = 0
    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def _own_anchor_dir(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test appends event anchors to its own file, never to the developer's var/anchors."""
    settings.XINFANG_ANCHOR_DIR = str(tmp_path_factory.mktemp("anchors"))


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Django's cache (the 期限预警 page's unit choices) holds nothing of another test's users."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_reference_lookups() -> Iterator[None]:
    """The API's per-process cache of organs, regions and categories holds no rows of another
    test's rolled-back world (ids are reused there)."""
    from xinfang.api.lookups import clear_reference_cache

    clear_reference_cache()
    yield
    clear_reference_cache()


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def registrar(world: World) -> Any:
    return world.registrar


@pytest.fixture
def handler(world: World) -> Any:
    return world.handler


@pytest.fixture
def bureau_head(world: World) -> Any:
    return world.bureau_head


@pytest.fixture
def other_clerk(world: World) -> Any:
    return world.other_clerk


@pytest.fixture
def citizen(world: World) -> Any:
    return world.citizen


@pytest.fixture
def freeze() -> Iterator[Callable[[str], dt.datetime]]:
    """freeze("2025-01-27 09:30") stops the clock at that Beijing time; call again to move it."""
    travellers: list[Any] = []

    def _freeze(text: str) -> dt.datetime:
        moment = beijing(text)
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)
        return moment

    yield _freeze
    for traveller in travellers:
        traveller.stop()


@pytest.fixture(autouse=True)
def _sms_outbox(settings: Any) -> Iterator[None]:
    """Text messages stay in xinfang.core.sms.outbox, emptied for each test."""
    from xinfang.core import sms

    settings.SMS_BACKEND = "xinfang.core.sms.LocmemBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()
