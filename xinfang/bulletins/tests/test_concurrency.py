"""Two heads issuing at once take different numbers (PostgreSQL: row locks between threads)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.db import transaction

from xinfang.bulletins import services
from xinfang.bulletins.models import Bulletin
from xinfang.bulletins.tests.helpers import brief, shipped_templates
from xinfang.cases.models import DocumentCounter
from xinfang.core.errors import InvalidState
from xinfang.testing.threads import in_threads, postgres_only
from xinfang.testing.world import build_world


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_bulletins_issued_at_once_get_consecutive_numbers_without_repeats() -> None:
    """Each thread issues as the page does, in a transaction that goes on (the sleep) before it
    commits. Without the counter's row lock both would read the same last number; the first issue of
    the year also races to create the counter row."""
    world = build_world()
    shipped_templates()
    drafts = [brief(world).pk for _ in range(6)]

    def issuing(mine: list[int]) -> Callable[[], None]:
        def job() -> None:
            for pk in mine:
                with transaction.atomic():
                    services.bulletin_issue(actor=world.bureau_head, bulletin=Bulletin.objects.get(pk=pk))
                    time.sleep(0.05)  # the rest of the request, before it commits

        return job

    errors = in_threads([issuing(drafts[0::2]), issuing(drafts[1::2])])

    assert errors == []
    numbers = sorted(Bulletin.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert DocumentCounter.objects.get(series="brief").last == 6


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_draft_issued_twice_at_once_is_issued_once() -> None:
    world = build_world()
    shipped_templates()
    pk = brief(world).pk
    refused: list[str] = []

    def job() -> None:
        try:
            with transaction.atomic():
                services.bulletin_issue(actor=world.bureau_head, bulletin=Bulletin.objects.get(pk=pk))
                time.sleep(0.05)
        except InvalidState as exc:
            refused.append(exc.message)

    assert in_threads([job, job]) == []
    assert len(refused) == 1 and "已签发" in refused[0]
    assert Bulletin.objects.get(pk=pk).number == 1 and DocumentCounter.objects.get(series="brief").last == 1
