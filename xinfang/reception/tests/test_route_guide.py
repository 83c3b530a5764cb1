"""The pure matcher of the legal-route guide (route_guide): which lines fit a matter, in which order.
No database: the lines are plain values."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xinfang.reception.route_guide import (
    EVERY,
    NARROWER,
    SAME,
    GuideLine,
    category_rank,
    code_stem,
    line_fits,
    split_keywords,
    suggest_routes,
)

LABOUR, RELATIONS, WAGES, INSURANCE, HEALTH = "040000", "040100", "040300", "040200", "050000"


def line(route_id: int, code: str, *words: str, order: int = 100) -> GuideLine:
    return GuideLine(route_id=route_id, category_code=code, keywords=tuple(words), order=order)


# ---------------------------------------------------------------- examples


def test_keywords_split_on_chinese_and_latin_separators_once_each() -> None:
    assert split_keywords("工资、解除，加班; 工资  辞退/调岗|年休假") == [
        "工资",
        "解除",
        "加班",
        "辞退",
        "调岗",
        "年休假",
    ]
    assert split_keywords("") == [] and split_keywords(None) == []  # type: ignore[arg-type]


def test_code_stems_drop_the_empty_levels() -> None:
    assert code_stem("040000") == "04" and code_stem("040100") == "0401" and code_stem("040101") == "040101"
    assert code_stem("100000") == "10" and code_stem("990000") == "99"


def test_how_categories_fit() -> None:
    assert category_rank(RELATIONS, RELATIONS) == SAME
    assert category_rank(LABOUR, RELATIONS) == 2  # the level-1 class of a level-2 matter
    assert category_rank(RELATIONS, "040101") == 4  # a level-2 class is closer than the level-1
    assert category_rank(LABOUR, "040101") == 2
    assert category_rank(RELATIONS, LABOUR) == NARROWER  # a line of a class inside the matter's
    assert category_rank("", RELATIONS) == EVERY
    assert category_rank(HEALTH, RELATIONS) is None and category_rank(RELATIONS, WAGES) is None
    assert category_rank("100000", "010000") is None  # 10 is not a prefix of 01
    assert category_rank(RELATIONS, "") is None


def test_a_labour_matter_about_wages_goes_to_arbitration() -> None:
    lines = [
        line(1, RELATIONS, "工资", "解除", order=10),
        line(2, RELATIONS, "仲裁裁决", order=20),
        line(3, INSURANCE, "社保局", order=10),
    ]
    assert suggest_routes(lines, category_code=RELATIONS, text="公司拖欠工资三个月") == [1]
    assert suggest_routes(lines, category_code=RELATIONS, text="不服仲裁裁决") == [2]
    assert suggest_routes(lines, category_code=RELATIONS, text="要求调岗") == []


def test_keywords_decide_between_routes_of_one_category() -> None:
    review, arbitration = line(1, INSURANCE, "社保经办", "养老金"), line(2, INSURANCE, "用人单位", "未缴")
    lines = [review, arbitration]
    assert suggest_routes(lines, category_code=INSURANCE, text="社保经办机构核定的养老金有误") == [1]
    assert suggest_routes(lines, category_code=INSURANCE, text="用人单位未缴社保") == [2]


def test_a_line_without_keywords_fits_its_whole_class_but_not_a_broader_matter() -> None:
    lines = [line(1, "160000"), line(2, WAGES)]
    assert suggest_routes(lines, category_code="160000", text="反映某局长受贿") == [1]
    assert suggest_routes(lines, category_code=WAGES, text="") == [2]
    assert suggest_routes(lines, category_code=LABOUR, text="拖欠工资") == []  # 2 is narrower, no words


def test_a_level1_matter_reaches_the_lines_of_its_level2_classes_by_their_words() -> None:
    lines = [line(1, WAGES, "拖欠", "工资"), line(2, HEALTH, "工资")]
    assert suggest_routes(lines, category_code=LABOUR, text="公司拖欠工资") == [1]


def test_a_line_for_every_category_needs_its_words() -> None:
    lines = [line(1, "", "行政处罚"), line(2, "")]
    assert suggest_routes(lines, category_code=HEALTH, text="不服卫健委的行政处罚") == [1]
    assert suggest_routes(lines, category_code=HEALTH, text="医院收费") == []


def test_a_keyword_hit_outranks_a_category_only_line_and_closer_outranks_broader() -> None:
    lines = [
        line(1, RELATIONS, order=1),  # category only
        line(2, LABOUR, "工资", order=50),  # broader, with a word found
        line(3, RELATIONS, "工资", order=90),  # same class, with a word found
        line(4, "", "工资", order=0),  # every category, with a word found
    ]
    assert suggest_routes(lines, category_code=RELATIONS, text="工资", limit=4) == [3, 2, 4, 1]


def test_more_words_found_rank_higher_then_the_guides_order() -> None:
    lines = [
        line(1, WAGES, "工资", order=10),
        line(2, WAGES, "工资", "拖欠", order=20),
        line(3, WAGES, "工资", order=5),
    ]
    assert suggest_routes(lines, category_code=WAGES, text="拖欠工资", limit=3) == [2, 3, 1]


def test_the_limit_and_an_empty_text() -> None:
    lines = [line(i, WAGES, order=i) for i in range(1, 6)]
    assert suggest_routes(lines, category_code=WAGES, text="", limit=2) == [1, 2]
    assert suggest_routes(lines, category_code=WAGES, text="", limit=0) == []
    assert suggest_routes(lines, category_code=WAGES, text=None) == [1, 2, 3]  # type: ignore[arg-type]
    assert suggest_routes([], category_code=WAGES, text="工资") == []


# ---------------------------------------------------------------- properties

CODES = ["", "010000", LABOUR, RELATIONS, INSURANCE, WAGES, HEALTH, "050100", "990000"]
WORDS = ["工资", "拖欠", "社保", "医院", "征收", "处罚", "判决"]

lines_strategy = st.lists(
    st.builds(
        GuideLine,
        route_id=st.integers(min_value=1, max_value=40),
        category_code=st.sampled_from(CODES),
        keywords=st.lists(st.sampled_from(WORDS), max_size=3, unique=True).map(tuple),
        order=st.integers(min_value=0, max_value=200),
    ),
    max_size=25,
    unique_by=lambda g: g.route_id,
)
matter_code = st.sampled_from([c for c in CODES if c])
matter_text = st.lists(st.sampled_from([*WORDS, "其他", "情况"]), max_size=5).map("".join)


@given(lines_strategy, matter_code, matter_text, st.integers(min_value=0, max_value=10))
def test_results_are_fitting_lines_each_once_within_the_limit(
    lines: list[GuideLine], code: str, text: str, limit: int
) -> None:
    found = suggest_routes(lines, category_code=code, text=text, limit=limit)
    by_id = {g.route_id: g for g in lines}
    assert len(found) <= limit and len(found) == len(set(found))
    assert all(line_fits(by_id[i], category_code=code, text=text) for i in found)
    fitting = [g for g in lines if line_fits(g, category_code=code, text=text)]
    assert len(found) == min(limit, len(fitting))  # nothing that fits is left out below the limit


@given(lines_strategy, matter_code, matter_text)
def test_the_order_does_not_depend_on_the_order_of_the_lines(
    lines: list[GuideLine], code: str, text: str
) -> None:
    forward = suggest_routes(lines, category_code=code, text=text, limit=50)
    assert suggest_routes(list(reversed(lines)), category_code=code, text=text, limit=50) == forward
    # a smaller limit is a prefix of a larger one
    assert suggest_routes(lines, category_code=code, text=text, limit=2) == forward[:2]


@given(lines_strategy, matter_code, matter_text)
def test_a_keyword_hit_always_comes_before_a_category_only_match(
    lines: list[GuideLine], code: str, text: str
) -> None:
    found = suggest_routes(lines, category_code=code, text=text, limit=50)
    by_id = {g.route_id: g for g in lines}
    hit = [any(w in text for w in by_id[i].keywords) for i in found]
    assert hit == sorted(hit, reverse=True)  # all the hits, then the category-only lines


@given(lines_strategy, matter_code, matter_text)
def test_among_hits_a_closer_category_comes_first(lines: list[GuideLine], code: str, text: str) -> None:
    found = suggest_routes(lines, category_code=code, text=text, limit=50)
    by_id = {g.route_id: g for g in lines}
    keys = [
        (not any(w in text for w in by_id[i].keywords), -(category_rank(by_id[i].category_code, code) or 0))
        for i in found
    ]
    assert keys == sorted(keys)


@given(lines_strategy, matter_code, matter_text)
def test_a_line_of_an_unrelated_category_never_fits(lines: list[GuideLine], code: str, text: str) -> None:
    for route_id in suggest_routes(lines, category_code=code, text=text, limit=50):
        g = next(g for g in lines if g.route_id == route_id)
        assert category_rank(g.category_code, code) is not None


@given(st.text(max_size=60))
def test_split_keywords_gives_clean_distinct_words(text: str) -> None:
    words = split_keywords(text)
    assert len(words) == len(set(words)) and all(w and w.strip() == w for w in words)
    assert all(sep not in w for w in words for sep in "、，,;；")
