"""Letter PDF benchmark: how long xinfang.core.pdf_layout takes to draw a letter in the request.

Run from the repository root: ``.venv/bin/python bench/pdf/run.py``. No database: the letters are
built with the same `Letter` the case documents use (a typical 信访处理意见书 of one or two pages,
and a long one of several pages), then drawn as PDF; each figure is the best of several runs, with
the .docx save of the same letter beside it for scale. The target: a typical letter well under
100 ms.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from xinfang.core.docx_layout import Letter  # noqa: E402
from xinfang.core.pdf_layout import docx_to_pdf  # noqa: E402

TARGET_MS = 100.0
PARAGRAPH = (
    "你于2025年3月3日通过来访方式反映的“小区住房质量问题长期未解决”问题（信访件编号：9901002025030300000001），"
    "本机关已于2025年3月10日受理。经调查核实，该房屋外墙存在裂缝，属于保修范围，开发商应在保修期内承担维修责任。"
)


def letter(sections: int) -> Letter:
    doc = Letter(
        organ="示例市住房和城乡建设局",
        title="信访处理意见书",
        doc_number="示例市住房和城乡建设局复〔2025〕1号",
        author="示例市住房和城乡建设局",
        created=dt.datetime(2025, 5, 20, 2, 0, tzinfo=dt.UTC),
        masthead=True,
    )
    doc.line("张三：")
    for index in range(sections):
        doc.heading(f"{index + 1}、查明事实")
        doc.para(PARAGRAPH)
        doc.para(PARAGRAPH[:60])
    doc.signature("示例市住房和城乡建设局", dt.date(2025, 5, 20))
    doc.colophon(printer="示例市住房和城乡建设局", printed_on=dt.date(2025, 5, 20), copy_to=["示例市信访局"])
    return doc


def best_ms(action: object, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def main() -> int:
    ok = True
    for name, sections in (("typical letter", 4), ("long letter", 30)):
        doc = letter(sections)
        pdf = docx_to_pdf(doc.doc)
        pages = pdf.count(b"/Type /Page\n")
        pdf_ms = best_ms(lambda doc=doc: docx_to_pdf(doc.doc))
        docx_ms = best_ms(doc.to_bytes)
        line = f"{name:<15} {pages:>2} pages  PDF {pdf_ms:6.1f} ms  (.docx save {docx_ms:5.1f} ms, ratio {pdf_ms / docx_ms:4.1f})  {len(pdf) // 1024} KB"
        if name == "typical letter":
            ok = pdf_ms < TARGET_MS
            line += f"  target < {TARGET_MS:.0f} ms: {'met' if ok else 'MISSED'}"
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
