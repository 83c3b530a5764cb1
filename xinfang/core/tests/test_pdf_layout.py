"""The PDF of a letter: the .docx of xinfang.core.docx_layout set again on the same A4 pages."""

from __future__ import annotations

import base64
import datetime as dt
import re
import zlib

from xinfang.core.docx_layout import Letter
from xinfang.core.pdf_layout import Styles, paragraph_lines
from xinfang.testing.pdf import page_count, page_texts

CREATED = dt.datetime(2025, 3, 10, 2, 0, tzinfo=dt.UTC)


def letter(*, masthead: bool = True, doc_number: str = "示例市信访局转〔2025〕1号") -> Letter:
    return Letter(
        organ="示例市信访局",
        title="受理告知书",
        doc_number=doc_number,
        author="示例市信访局",
        created=CREATED,
        masthead=masthead,
    )


def test_a_letter_is_a_pdf_on_a4_with_its_masthead_title_body_signature_and_page_number() -> None:
    doc = letter()
    doc.line("张三：")
    doc.para("你反映的问题，本机关已依法受理。")
    doc.signature("示例市信访局", dt.date(2025, 3, 10))
    doc.colophon(printer="示例市信访局", printed_on=dt.date(2025, 3, 10))
    data = doc.to_pdf()
    assert data.startswith(b"%PDF-")
    assert b"/MediaBox [ 0 0 595.3 841.9 ]" in data  # 21.0 x 29.7 cm
    assert b"/BaseFont /STSong-Light" in data and b"/FontFile" not in data  # the reader's font, none embedded
    [text] = page_texts(data)
    assert text.startswith("示例市信访局示例市信访局转〔2025〕1号受理告知书张三：你反映的问题")
    assert "（印章）示例市信访局2025年3月10日" in text and text.endswith("2025年3月10日印发— 1 —")


def test_the_masthead_is_red_and_the_body_black() -> None:
    doc = letter()
    doc.para("正文")
    content = zlib.decompress(_first_stream(doc.to_pdf())).decode("latin-1")
    assert ".878431 0 0 rg" in content  # E00000: the organ's name and the rule
    assert "0 0 0 rg" in content


def _first_stream(data: bytes) -> bytes:
    raw = re.search(rb"stream\r?\n(.*?)\s*endstream", data, re.S)
    assert raw is not None
    return base64.a85decode(raw.group(1).strip().removesuffix(b"~>"), ignorechars=b" \n\r\t")


# The numbers the page count below follows from: 29.7 cm less the margins (3.7 + 3.5 cm) leaves
# 637.8 pt, 22 body lines of 28 pt; the heading of a letter without masthead (organ and title on
# 36 pt lines, the 文号 line with 8 pt above it, a blank line) takes 136 pt, so 17 lines are left.
FIRST_PAGE_LINES = 17
PAGE_LINES = 22


def test_a_long_letter_breaks_across_pages_with_every_line_in_order() -> None:
    def pages_for(paragraphs: int) -> list[str]:
        doc = letter(masthead=False, doc_number="")
        for n in range(1, paragraphs + 1):
            doc.para(f"第{n}段。")
        data = doc.to_pdf()
        texts = page_texts(data)
        assert page_count(data) == len(texts)  # the page objects, and a content stream for each
        return texts

    full = FIRST_PAGE_LINES + 2 * PAGE_LINES
    assert len(pages_for(full)) == 3
    pages = pages_for(full + 1)
    assert len(pages) == 4
    assert f"第{FIRST_PAGE_LINES}段。" in pages[0] and pages[1].startswith(f"第{FIRST_PAGE_LINES + 1}段。")
    assert pages[3].startswith(f"第{full + 1}段。") and pages[3].endswith("— 4 —")
    numbers = [int(n) for page in pages for n in re.findall(r"第(\d+)段", page)]
    assert numbers == list(range(1, full + 2))


def _lines(doc: Letter) -> list[str]:
    paragraph = doc.doc.paragraphs[-1]
    return ["".join(u.text for u in line.units) for line in paragraph_lines(paragraph, 442.2, Styles())]


def test_chinese_lines_wrap_at_any_character_after_the_two_character_indent() -> None:
    doc = letter()
    doc.para("信" * 60)
    # 442.2 pt of text width holds 27 characters of 16 pt; the first line is indented by two.
    assert [len(line) for line in _lines(doc)] == [25, 27, 8]


def test_a_latin_word_moves_to_the_next_line_whole_and_closing_punctuation_hangs() -> None:
    doc = letter()
    doc.para("信" * 20 + "查询码 AVYPNB6ZWE，请妥善保管。")
    lines = _lines(doc)
    assert lines[0].endswith("查询码 ") and lines[1].startswith("AVYPNB6ZWE，")
    doc.para("信" * 25 + "。")
    assert _lines(doc) == ["信" * 25 + "。"]  # the full stop hangs in the margin: no line of its own


def test_a_long_table_repeats_its_header_on_every_page() -> None:
    doc = letter()
    rows = [[str(n), "2025-03-10 09:00", "示例市信访局", f"第{n}条办理记录"] for n in range(1, 61)]
    doc.grid(["序号", "时间", "机构", "办理记录"], rows, [1.4, 3.0, 4.2, 7.0])
    pages = page_texts(doc.to_pdf())
    assert len(pages) > 1
    assert all("序号时间机构办理记录" in page for page in pages)
    assert [int(n) for page in pages for n in re.findall(r"第(\d+)条", page)] == list(range(1, 61))


def test_a_table_row_longer_than_a_page_is_split_between_its_lines() -> None:
    doc = letter()
    doc.table([("信访件编号", "1"), ("主要内容", [f"第{n}行内容" for n in range(1, 81)])])
    pages = page_texts(doc.to_pdf())
    assert len(pages) >= 3
    assert [int(n) for page in pages for n in re.findall(r"第(\d+)行", page)] == list(range(1, 81))


def test_a_heading_is_never_left_alone_at_the_foot_of_a_page() -> None:
    doc = letter(masthead=False, doc_number="")
    for n in range(1, FIRST_PAGE_LINES):
        doc.para(f"第{n}段。")
    doc.heading("一、信访请求")  # would be the page's last line
    doc.para("请求维修。")
    first, second = page_texts(doc.to_pdf())
    assert "信访请求" not in first and second.startswith("一、信访请求请求维修。")
