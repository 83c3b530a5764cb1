from __future__ import annotations

import opencc
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.textintel.normalize import compact, normalize

SENTENCES = [
    "我们小区门口的垃圾站每天散发臭味，请有关部门尽快处理。",
    "学校食堂饭菜价格上涨，学生家长希望教育局过问。",
    "K9县某镇道路坑洼严重，雨天车辆无法通行，联系电话138****1234。",
    "公司拖欠工资三个月，劳动监察部门什么时候能给个说法？",
    "医院挂号难，网上预约系统经常崩溃。",
]
S2T = opencc.OpenCC("s2t")


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4), st.sampled_from(["", "\n\t\t", " \xa0 "])
)
def test_a_traditional_copy_normalises_to_the_simplified_one(parts: list[str], padding: str) -> None:
    simplified = padding.join(parts)
    assert normalize(S2T.convert(simplified)) == normalize(simplified)


def test_full_width_letters_and_digits_become_ascii_but_chinese_commas_stay() -> None:
    assert normalize("ＡＢＣ１２３号楼，三单元") == "ABC123号楼，三单元"


def test_half_width_punctuation_inside_chinese_becomes_chinese_punctuation() -> None:
    assert normalize("你好,请回复!") == "你好，请回复！"


def test_scrape_padding_and_spaces_between_chinese_are_removed() -> None:
    assert normalize("\n\t\t\t  小区 停车  难\xa0\u3000\n\n") == "小区停车难"


def test_spaces_between_latin_words_collapse_to_one() -> None:
    assert normalize("call   me\tlater") == "call me later"


def test_masked_phone_numbers_stay_masked() -> None:
    assert "138****1234" in normalize("电话：138＊＊＊＊1234")
    assert "0000-00000000" in compact("电话 0000-00000000 ")


def test_empty_and_none_give_empty_text() -> None:
    assert normalize(None) == "" and compact("   ") == ""
