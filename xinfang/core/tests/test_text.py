"""The control-character rule (xinfang.core.text): properties over arbitrary text, and examples."""

from __future__ import annotations

import re

import pytest
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from xinfang.core.text import (
    FORBIDDEN_JSON_PATTERN,
    FORBIDDEN_PATTERN,
    clean_text,
    describe,
    forbidden_character,
)

# Every code point, surrogates included (a str can hold a lone one; UTF-8 cannot).
any_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()))
# Text as a clerk types it: CJK, Chinese punctuation, Latin letters and digits, spaces, TAB and LF.
ordinary = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from("，。、；：？！“”‘’（）《》【】—…·　"),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from("\t\n"),
        st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),  # CJK extension B
    )
)


@given(any_text)
def test_clean_text_is_idempotent(value: str) -> None:
    once = clean_text(value)
    assert clean_text(once) == once


@given(any_text)
def test_clean_text_never_leaves_a_forbidden_character_or_a_cr(value: str) -> None:
    cleaned = clean_text(value)
    assert FORBIDDEN_PATTERN.search(cleaned) is None
    assert forbidden_character(cleaned) is None
    assert "\r" not in cleaned


@given(ordinary)
def test_ordinary_chinese_text_is_unchanged(value: str) -> None:
    assert clean_text(value) == value
    assert forbidden_character(value) is None


@given(any_text)
def test_clean_text_keeps_the_number_of_line_breaks(value: str) -> None:
    # CR LF, CR, VT and FF are each one line break; nothing else becomes one or stops being one.
    expected = len(re.findall("\r\n?|[\n\x0b\x0c]", value))
    assert clean_text(value).count("\n") == expected


@given(any_text)
def test_cleaned_text_can_always_be_written_into_a_docx(value: str) -> None:
    # The reason for the rule: lxml refuses what XML 1.0 cannot hold.
    cleaned = clean_text(value)
    run = Document().add_paragraph().add_run(cleaned)
    assert run.text == cleaned


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=["Cs"])))
def test_the_declared_json_pattern_refuses_exactly_what_the_api_refuses(value: str) -> None:
    # Python's re reads the \uXXXX escapes of the JSON Schema pattern like ECMA-262 does.
    declared = re.compile(FORBIDDEN_JSON_PATTERN)
    assert (declared.match(value) is not None) == (forbidden_character(value) is None)


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("第一行\r\n第二行", "第一行\n第二行"),
        ("第一行\r第二行", "第一行\n第二行"),
        ("第一行\x0b第二行", "第一行\n第二行"),  # Word's manual line break (Shift+Enter)
        ("第一页\x0c第二页", "第一页\n第二页"),  # a page break
        ("空\x00字符", "空字符"),
        ("响\x07铃\x1b[0m", "响铃[0m"),
        ("删除\x7f", "删除"),
        ("C1\x85\x9f控制", "C1控制"),
        ("半个\ud800代理", "半个代理"),
        ("非字符\ufffe\uffff", "非字符"),
        ("制表\t保留\n换行保留", "制表\t保留\n换行保留"),
        ("\U00020000 扩展B 😀", "\U00020000 扩展B 😀"),
        ("", ""),
    ],
)
def test_clean_text_examples(raw: str, cleaned: str) -> None:
    assert clean_text(raw) == cleaned


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("事实\x0b经过", (2, "\x0b")),
        ("\x00", (0, "\x00")),
        ("换行\r\n可以", None),
        ("制表\t可以", None),
        ("普通文字", None),
    ],
)
def test_forbidden_character(value: str, found: tuple[int, str] | None) -> None:
    assert forbidden_character(value) == found


def test_describe() -> None:
    assert describe("\x0b") == "U+000B"
    assert describe("\x9f") == "U+009F"
