"""A bulletin as a .docx, laid out like the 简报 bureaus print (on `xinfang.core.docx_layout.Letter`):

    信访简报                    (the masthead, red)
    第3期
    示例市信访局编          2026年3月5日
    ────────────────────    (the red rule)
    2026年2月信访工作情况    (the title)
    一、本期信访情况 …          (the text: its 一、二、 lines as headings)

A 信访动态 prints its foreword (if any) and then its items, numbered 一、二、 with their titles as
headings. A draft prints "草稿" where the number goes. The texts are the stored ones, masked once
more (`masking.scrub`): what reaches a document never names a petitioner.
"""

from __future__ import annotations

from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Pt

from xinfang.bulletins.context import bulletin_names, chinese_numeral
from xinfang.bulletins.masking import scrub
from xinfang.bulletins.models import Bulletin, Kind
from xinfang.core import docx_layout
from xinfang.core.timeutil import local_date
from xinfang.statistics.render import write_text


def filename(bulletin: Bulletin) -> str:
    if bulletin.number:
        return f"{bulletin.get_kind_display()}{bulletin.issue_label}.docx"
    return f"{bulletin.get_kind_display()}（草稿）{bulletin.title[:40]}.docx"


def _edition_line(letter: docx_layout.Letter, organ: str, day_text: str) -> None:
    """The organ and the date under the number, left and right, with the masthead's red rule
    moved under them (Letter draws it under the number)."""
    number = letter.doc.paragraphs[-1]
    borders = number._p.get_or_add_pPr().find(qn("w:pBdr"))
    if borders is not None:
        borders.getparent().remove(borders)
    line = letter.line(f"{organ}编\t{day_text}")
    line.paragraph_format.tab_stops.add_tab_stop(Pt(docx_layout.TEXT_WIDTH_PT), WD_TAB_ALIGNMENT.RIGHT)
    line.paragraph_format.space_before = Pt(8)
    docx_layout.rule(
        line, side="bottom", size=docx_layout.RED_RULE_EIGHTHS, color=docx_layout.RED_HEX, space=11
    )


def render_bulletin(bulletin: Bulletin) -> bytes:
    """The .docx of the bulletin (issued or draft)."""
    moment = bulletin.issued_at or bulletin.updated_at
    day = local_date(moment)
    names = bulletin_names(bulletin)
    organ = bulletin.org.name
    title = scrub(bulletin.title, names)
    letter = docx_layout.Letter(
        organ=bulletin.get_kind_display(),
        title=title,
        doc_number=f"第{bulletin.number}期" if bulletin.number else "（草稿）",
        author=organ,
        created=moment,
        masthead=True,
    )
    # Letter wrote: masthead, blank, number (with the rule), blank, title, blank. The organ and the
    # date belong between the number and the rule: the paragraphs after the number move below.
    after = letter.doc.paragraphs[3:]
    for paragraph in after:
        paragraph._p.getparent().remove(paragraph._p)
    _edition_line(letter, organ, docx_layout.chinese_date(day) if bulletin.number else "草稿")
    body = letter.doc.element.body
    section = body[-1]  # w:sectPr stays last
    for paragraph in after:
        section.addprevious(paragraph._p)
    write_text(letter, scrub(bulletin.body, names))
    if bulletin.kind == Kind.DYNAMICS:
        for rank, item in enumerate(bulletin.items.order_by("position", "pk"), start=1):
            letter.heading(f"{chinese_numeral(rank)}、{scrub(item.title, names)}")
            letter.paras(scrub(item.body, names))
    letter.colophon(printer=organ, printed_on=day)
    return letter.to_bytes()
