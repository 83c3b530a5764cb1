"""查重 ranks recent and same-person matters first: an identical case of two weeks ago is never
pushed out of the short list by older ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import ID_NUMBER, register
from xinfang.testing.world import World
from xinfang.textintel.db.intake import PersonIn, find_similar
from xinfang.textintel.tests.test_intake import CONTENT, CONTENT_TW, SUBJECT, SUBJECT_TW

PERSON = PetitionerInput(name="张三", id_number=ID_NUMBER, phone="13800138000", address="青山县幸福小区3栋")


def _petitioner(n: int) -> PetitionerInput:
    return PetitionerInput(name=f"住户{n}", phone=f"1390013{n:04d}", address=f"青山县幸福小区{n}栋")


def test_an_identical_two_week_old_case_comes_before_older_ones(world: World, freeze: Any) -> None:
    freeze("2024-05-06 10:00")
    old = [
        register(
            world,
            subject=SUBJECT,
            content=CONTENT,
            petitioners=[_petitioner(n)],
            received_on=dt.date(2024, 5, 6),
        )
        for n in range(6)
    ]
    freeze("2026-01-05 10:00")
    recent = register(world, subject=SUBJECT, content=CONTENT, petitioners=[_petitioner(99)])
    freeze("2026-01-19 10:00")
    found = find_similar(world.registrar, SUBJECT, CONTENT, [PersonIn(name="王五")])
    assert len(found) == 5
    assert found[0].case_id == recent.pk
    assert {s.case_id for s in found[1:]} <= {c.pk for c in old}


def test_the_same_person_s_older_matter_comes_before_others_old_ones(world: World, freeze: Any) -> None:
    freeze("2024-05-06 10:00")
    others = [
        register(world, subject=SUBJECT, content=CONTENT, petitioners=[_petitioner(n)]) for n in range(5)
    ]
    own = register(world, subject=SUBJECT_TW, content=CONTENT_TW, petitioners=[PERSON])
    freeze("2026-01-19 10:00")
    found = find_similar(world.registrar, SUBJECT, CONTENT, [PersonIn(id_number=ID_NUMBER)])
    assert found[0].case_id == own.pk and found[0].is_repeat
    assert {s.case_id for s in found[1:]} <= {c.pk for c in others}
