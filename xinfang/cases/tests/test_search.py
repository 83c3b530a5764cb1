"""Finding a person's matters and words of a text, always under the access policy."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from xinfang.cases import pii, search
from xinfang.cases.models import Case, Petitioner
from xinfang.cases.search import classify
from xinfang.cases.selectors import cases_filtered, person_matters
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import ID_NUMBER, register
from xinfang.testing.world import World

pytestmark = pytest.mark.django_db

OTHER_ID = "110105198001010016"


def _ids(cases: object) -> set[int]:
    return set(cases.values_list("pk", flat=True))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("11010519491231002x", "id_number"),
        ("１３８ ００１３ ８０００", "phone"),
        ("138-0013-8000", "phone"),
        ("abcdefghjk", "query_code"),
        ("9901002025012700000012", "number"),
        ("张三", "text"),
        ("墙体开裂", "text"),
        ("1380013800", "text"),  # ten digits: no phone
    ],
)
def test_the_search_box_recognises_what_was_typed(typed: str, kind: str) -> None:
    query = classify(typed)
    assert query is not None and query.kind == kind


def test_a_person_is_found_by_id_number_phone_and_name_only_where_visible(world: World) -> None:
    mine = register(world)
    other = register(
        world,
        subject="工资拖欠",
        content="某公司拖欠工资三个月。",
        petitioners=[PetitionerInput(name="李四", id_number=OTHER_ID, phone="13900139000")],
    )
    for q in (ID_NUMBER.lower(), "13800138000", "张 三", "张\u3000三"):
        assert _ids(cases_filtered(world.registrar, q=q)) == {mine.pk}, q
    assert _ids(cases_filtered(world.registrar, q=OTHER_ID)) == {other.pk}
    assert _ids(cases_filtered(world.registrar, id_number=ID_NUMBER)) == {mine.pk}
    assert _ids(cases_filtered(world.registrar, phone="139 0013 9000")) == {other.pk}
    assert _ids(cases_filtered(world.registrar, name="李四")) == {other.pk}
    # A clerk of another county sees neither case and so finds neither, whatever they know.
    for q in (ID_NUMBER, "13800138000", "张三", mine.query_code, "墙体开裂"):
        assert not cases_filtered(world.other_clerk, q=q).exists(), q
    assert not cases_filtered(world.other_clerk, id_number=ID_NUMBER).exists()


def test_search_reads_no_personal_data(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    case = register(world)

    def refuse(token: str) -> str:
        raise AssertionError("searching must not decrypt")

    monkeypatch.setattr(pii, "decrypt", refuse)
    assert _ids(cases_filtered(world.registrar, q=ID_NUMBER)) == {case.pk}
    assert _ids(cases_filtered(world.registrar, q="张三")) == {case.pk}


def test_a_case_is_found_by_its_query_code(world: World) -> None:
    case = register(world)
    register(world)
    assert _ids(cases_filtered(world.registrar, q=case.query_code.lower())) == {case.pk}
    assert _ids(cases_filtered(world.registrar, query_code=case.query_code)) == {case.pk}


def test_words_of_the_subject_or_content_are_found(world: World) -> None:
    housing = register(world)
    wages = register(world, subject="工资拖欠问题", content="某建筑公司拖欠农民工工资三个月未发放。")
    assert _ids(cases_filtered(world.registrar, q="墙体开裂")) == {housing.pk}  # content, 4 characters
    assert _ids(cases_filtered(world.registrar, q="拖欠")) == {wages.pk}  # two characters
    assert _ids(cases_filtered(world.registrar, q="农民工 三个月")) == {wages.pk}  # every word
    assert not cases_filtered(world.registrar, q="农民工 墙体").exists()
    assert _ids(cases_filtered(world.registrar, text="住房质量")) == {housing.pk}
    assert not cases_filtered(world.registrar, q="100%_").exists()  # LIKE wildcards are literal


@pytest.mark.parametrize("common", [False, True], ids=["rare term", "common term"])
def test_a_term_is_found_alike_however_common_it_is(
    world: World, monkeypatch: pytest.MonkeyPatch, common: bool
) -> None:
    # SQLite lists a rare term's cases and checks a common one's case by case (search._fts_term).
    monkeypatch.setattr(search, "COMMON_TERM", 1 if common else 1000)
    first, second = register(world), register(world)
    register(world, subject="工资拖欠问题", content="某建筑公司拖欠农民工工资三个月未发放。")
    found = cases_filtered(world.registrar, q="墙体开裂")
    assert _ids(found) == {first.pk, second.pk}
    assert _ids(found.filter(pk=second.pk)) == {second.pk}  # with the list's other conditions
    assert not cases_filtered(world.registrar, q="墙体开裂 农民工").exists()


def test_the_text_index_follows_changes_of_the_case(world: World) -> None:
    case = register(world)
    Case.objects.filter(pk=case.pk).update(subject="征地补偿款未到位", content="村民反映征地补偿。")
    assert _ids(cases_filtered(world.registrar, q="征地补偿")) == {case.pk}
    assert not cases_filtered(world.registrar, q="墙体开裂").exists()


def test_a_person_s_earlier_matters_whatever_the_wording(world: World) -> None:
    first = register(world)
    second = register(world, subject="换个说法", content="还是那套房子的问题，开发商至今不修。")
    found = person_matters(world.registrar, id_number=ID_NUMBER)
    assert [m.case_id for m in found] == [second.pk, first.pk]
    assert found[0].status == "待交转" and found[0].unit == "示例市信访局"
    assert [m.case_id for m in person_matters(world.registrar, phone="13800138000")] == [second.pk, first.pk]
    assert person_matters(world.other_clerk, id_number=ID_NUMBER) == []
    assert person_matters(world.registrar, id_number=OTHER_ID) == []


def test_the_migration_fills_the_name_key_of_existing_rows(world: World) -> None:
    case = register(world)
    Petitioner.objects.filter(case=case).update(name_key="")
    migration = importlib.import_module("xinfang.cases.migrations.0007_person_search")
    # The function reads only the editor's connection (a real schema editor cannot open inside a
    # test's transaction on SQLite).
    migration.fill_name_keys(apps, SimpleNamespace(connection=connection))
    assert Petitioner.objects.get(case=case).name_key == pii.name_key("张三")
    assert _ids(cases_filtered(world.registrar, name="张三")) == {case.pk}


def test_part_of_a_case_number_is_found_by_its_digits(world: World) -> None:
    case = register(world)
    register(world)
    assert _ids(cases_filtered(world.registrar, q=case.number[-8:])) == {case.pk}
    assert _ids(cases_filtered(world.registrar, text=case.number[-8:])) == {case.pk}
