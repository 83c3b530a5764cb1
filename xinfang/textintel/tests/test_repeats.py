from __future__ import annotations

import pytest

from xinfang.textintel.repeats import (
    REPEAT,
    SAME_MATTER,
    EarlierCase,
    PetitionerKeys,
    match_petitioner,
    petitioner_keys,
    suggest,
)

SECRET = b"test-secret"


def keys(**kw: str) -> PetitionerKeys:
    return petitioner_keys(SECRET, **kw)


def test_identifiers_are_normalised_before_hashing_and_never_stored_in_clear() -> None:
    a = keys(
        id_number="43010219800101123x", phone="+86 138-0000-1234", name="張三", address="A市 A3区 青山路1号"
    )
    b = keys(id_number="43010219800101123X", phone="13800001234", name="张三", address="A市A3区青山路1号")
    assert a == b
    assert "13800001234" not in repr(a) and len(a.phone or "") == 64
    assert keys(phone="13800001234") != petitioner_keys(b"other", phone="13800001234")
    with pytest.raises(ValueError):
        petitioner_keys(b"", phone="13800001234")


def test_same_id_number_is_the_same_person() -> None:
    m = match_petitioner(keys(id_number="430102198001011234"), keys(id_number="430102198001011234"))
    assert m.same_person and m.evidence == ("身份证号一致",)


def test_different_id_numbers_outweigh_a_shared_phone_and_address() -> None:
    a = keys(id_number="430102198001011234", phone="13800001234", name="张三", address="青山路1号")
    b = keys(id_number="430102198202021111", phone="13800001234", name="张三", address="青山路1号")
    m = match_petitioner(a, b)
    assert not m.same_person and m.evidence == ("身份证号不同",)


def test_phone_or_name_and_address_identify_without_id_numbers() -> None:
    assert match_petitioner(keys(phone="13800001234"), keys(phone="138 0000 1234")).evidence == (
        "联系电话一致",
    )
    m = match_petitioner(keys(name="李四", address="青山路1号"), keys(name="李四", address="青山路 1 号"))
    assert m.same_person and m.evidence == ("姓名和住址一致",)


def test_a_shared_name_alone_is_not_enough() -> None:
    m = match_petitioner(keys(name="王伟", address="青山路1号"), keys(name="王伟", address="湘江路8号"))
    assert not m.same_person and "仅姓名相同" in m.evidence[0]


def test_same_person_same_matter_is_a_repeat_and_comes_first() -> None:
    me = keys(phone="13800001234")
    hits = [
        EarlierCase("C1", keys(phone="13900009999"), 0.9),
        EarlierCase("C2", keys(phone="13800001234"), 0.7),
    ]
    out = suggest(me, hits)
    assert [(s.kind, s.case_id) for s in out] == [(REPEAT, "C2"), (SAME_MATTER, "C1")]
    assert "联系电话一致" in out[0].evidence and out[0].describe().startswith("重复信访：案件 C2")


def test_different_people_same_matter_point_to_the_master_once() -> None:
    me = keys(phone="13800001234")
    hits = [
        EarlierCase("C5", keys(phone="13900000001"), 0.8, master_id="M1"),
        EarlierCase("C6", keys(phone="13900000002"), 0.6, master_id="M1"),
        EarlierCase("M1", keys(phone="13900000003"), 0.55),
    ]
    out = suggest(me, hits)
    assert len(out) == 1 and out[0].kind == SAME_MATTER and out[0].case_id == "M1"
    assert out[0].similarity == 0.8 and "经案件 C5" in out[0].evidence


def test_below_the_similarity_threshold_nothing_is_suggested_even_for_the_same_person() -> None:
    me = keys(phone="13800001234")
    assert suggest(me, [EarlierCase("C1", me, 0.3)]) == []


def test_two_petitioners_one_of_them_known_give_one_repeat_not_also_the_same_matter() -> None:
    known = keys(id_number="430102198001011234")
    stranger = keys(id_number="430102198202021111")
    out = suggest([known, stranger], [EarlierCase("C1", known, 0.9)])
    assert [(s.kind, s.case_id) for s in out] == [(REPEAT, "C1")]
    assert out[0].evidence == ("身份证号一致", "1/2 名信访人为同一人", "内容相似度 0.90")


def test_the_same_pair_of_petitioners_again_is_one_repeat_with_no_partial_note() -> None:
    a, b = keys(id_number="430102198001011234"), keys(phone="13800001234")
    hits = [EarlierCase("C1", a, 0.8), EarlierCase("C1", b, 0.8)]
    out = suggest([b, a], hits)
    assert [(s.kind, s.case_id) for s in out] == [(REPEAT, "C1")]
    assert out[0].evidence == ("联系电话一致", "身份证号一致", "内容相似度 0.80")


def test_disjoint_sets_of_petitioners_are_the_same_matter_once() -> None:
    hits = [
        EarlierCase("C1", keys(id_number="430102198001011234"), 0.8),
        EarlierCase("C1", keys(id_number="430102198001012222"), 0.8),
    ]
    out = suggest([keys(id_number="430102198202021111"), keys(phone="13800001234")], hits)
    assert [(s.kind, s.case_id, s.evidence) for s in out] == [
        (SAME_MATTER, "C1", ("内容相似度 0.80", "身份证号不同"))
    ]


def test_a_master_suggested_as_a_repeat_is_not_also_the_same_matter_of_its_attached_case() -> None:
    me = keys(phone="13800001234")
    hits = [EarlierCase("C7", keys(phone="13900000001"), 0.9, master_id="M1"), EarlierCase("M1", me, 0.7)]
    assert [(s.kind, s.case_id) for s in suggest([me], hits)] == [(REPEAT, "M1")]
