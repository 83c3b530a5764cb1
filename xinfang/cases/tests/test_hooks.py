"""The registration hook: subscribers run in the registering transaction, and their failure rolls it back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from xinfang.cases.hooks import CaseHook, on_case_registered
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.tests.helpers import register
from xinfang.testing.world import World


class Refused(Exception):
    pass


@pytest.fixture
def seen() -> Iterator[list[tuple[str, bool, int]]]:
    calls: list[tuple[str, bool, int]] = []

    def record(case: Case) -> None:
        calls.append((case.number, connection.in_atomic_block, CaseEvent.objects.filter(case=case).count()))

    on_case_registered.connect(record)
    yield calls
    on_case_registered.disconnect(record)


def test_a_subscriber_sees_the_registered_case_inside_the_transaction(
    world: World, seen: list[tuple[str, bool, int]]
) -> None:
    case = register(world)
    assert seen == [(case.number, True, 1)]  # numbered, its first event written, not yet committed


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_rolls_the_registration_back(world: World) -> None:
    def refuse(case: Case) -> None:
        raise Refused(case.number)

    on_case_registered.connect(refuse)
    try:
        with pytest.raises(Refused):
            register(world)
    finally:
        on_case_registered.disconnect(refuse)
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_connect_is_idempotent_and_keeps_order() -> None:
    hook = CaseHook("test")
    calls: list[str] = []

    def first(case: Case) -> None:
        calls.append("first")

    def second(case: Case) -> None:
        calls.append("second")

    hook.connect(first)
    hook.connect(second)
    hook.connect(first)
    assert hook.subscribers() == (first, second)
    hook.send(Case())
    assert calls == ["first", "second"]
    hook.disconnect(first)
    assert hook.subscribers() == (second,)
