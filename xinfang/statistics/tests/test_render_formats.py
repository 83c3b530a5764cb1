"""The four renderings of a report carry the same figures: text, json, docx and xlsx."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from xinfang.statistics.figure import FIGURES, Figure, Report, Row
from xinfang.statistics.render import Rendered, render, shipped_templates, to_docx, to_json, to_xlsx
from xinfang.statistics.render_sample import empty_report, sample_report

TEMPLATES = {template["name"]: template for template in shipped_templates()}


def _rendered(report: Report, name: str = "半年工作总结统计部分") -> Rendered:
    template = TEMPLATES[name]
    return render(template["title"], template["body"], report)


def test_json_has_every_figure_with_its_definition_and_change() -> None:
    report = sample_report()
    data = json.loads(to_json(report, _rendered(report)))
    figures = {record["key"]: record for record in data["figures"]}
    assert figures.keys() == FIGURES.keys()
    visits = figures["来访.集体访.批次"]
    assert visits["current"] == 58 and visits["previous"] == 55
    assert visits["unit"] == "批" and visits["kind"] == "count"
    assert visits["definition"] == "docs/statistics.md#collective-visits"
    assert visits["change"] == {"delta": 3, "percent": "5.5", "direction": "up", "zero_base": False}
    rate = figures["一次性化解率"]
    assert rate["current"] == {"numerator": 1893, "denominator": 2000, "percent": "94.65"}
    assert rate["change"] == {"points": "2.15", "direction": "up"}
    assert data["period"] == "2025年1~6月" and data["comparison"] == "yoy"
    assert data["compare_start"] == "2024-01-01" and data["compare_end"] == "2024-06-30"
    assert [row["label"] for row in data["breakdowns"]["内容分类"]][:2] == ["城乡建设", "政法"]


def test_json_reconciles_with_the_text() -> None:
    report = sample_report()
    data = json.loads(to_json(report, _rendered(report)))
    figures = {record["key"]: record for record in data["figures"]}
    for key, unit in (
        ("信访总量.件次", "件次"),
        ("来信.件次", "件次"),
        ("越级访.批次", "批"),
        ("督办.提醒函", "份"),
    ):
        assert f"{figures[key]['text']}{unit}" in data["text"]
    assert f"一次性化解率{figures['一次性化解率']['text']}" in data["text"]
    assert f"按批次同比{figures['来访.集体访.批次']['change_text']}" in data["text"]


def test_json_of_a_period_without_cases() -> None:
    data = json.loads(to_json(empty_report(), _rendered(empty_report())))
    figures = {record["key"]: record for record in data["figures"]}
    assert figures["信访总量.件次"]["current"] == 0
    assert figures["信访总量.件次"]["change"]["zero_base"] is True
    assert figures["信访总量.件次"]["change_text"] == "去年同期为零"
    assert figures["受理率"]["current"]["percent"] is None and figures["受理率"]["text"] == "—"
    assert figures["每万人信访量"]["current"] is None


def _docx_text(content: bytes) -> tuple[list[str], list[list[list[str]]], str]:
    document = Document(io.BytesIO(content))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    footer = document.sections[0].footer._element.xml
    return paragraphs, tables, footer


def test_docx_is_a_formal_document_with_the_text_and_the_tables() -> None:
    report = sample_report()
    rendered = _rendered(report)
    paragraphs, tables, footer = _docx_text(to_docx(report, rendered, doc_number="示信统〔2025〕3号"))
    assert paragraphs[:3] == ["示例市", "示例市2025年1~6月信访工作情况", "示信统〔2025〕3号"]
    assert "一、信访总体情况" in paragraphs
    assert any(p.startswith("2025年1~6月，示例市受理群众信访事项4,210件次6,835人次") for p in paragraphs)
    assert "附表" in paragraphs
    categories = next(table for table in tables if table[0][1] == "内容分类")
    assert categories[0] == [
        "序号",
        "内容分类",
        "信访总量（件次）",
        "信访总量（人次）",
        "集体访（批）",
        "集体访（人次）",
        "占比",
    ]
    assert categories[1][:4] == ["1", "城乡建设", "1,010", "1,702"]
    assert categories[1][-1] == "24.0%"
    assert 'w:instr="PAGE"' in footer
    document = Document(io.BytesIO(to_docx(report, rendered)))
    east_asia = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    fonts = {run.element.rPr.rFonts.get(east_asia) for p in document.paragraphs for run in p.runs}
    assert {"宋体", "仿宋", "黑体"} <= fonts


def test_docx_of_a_period_without_cases_has_no_tables() -> None:
    paragraphs, tables, _ = _docx_text(to_docx(empty_report(), _rendered(empty_report())))
    assert any("0件次0人次，去年同期为零" in p for p in paragraphs)
    assert tables == [] and "附表" not in paragraphs


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_docx_opens_in_libreoffice(tmp_path: Path) -> None:
    source = tmp_path / "report.docx"
    report = sample_report()
    source.write_bytes(to_docx(report, _rendered(report)))
    subprocess.run(
        ["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert (tmp_path / "report.pdf").stat().st_size > 0


def test_xlsx_sheets_reconcile_with_the_report_and_the_text() -> None:
    report = sample_report()
    rendered = _rendered(report)
    book = load_workbook(io.BytesIO(to_xlsx(report, rendered)))
    assert book.sheetnames == [
        "指标",
        "内容分类",
        "内容分类二级",
        "月度",
        "问题属地",
        "责任单位",
        "信访形式",
        "正文",
    ]
    rows = {row[0]: row for row in book["指标"].iter_rows(min_row=2, values_only=True)}
    assert rows.keys() == FIGURES.keys()
    _key, label, unit, current, previous, text, before, change, definition = rows["来访.集体访.批次"]
    assert (label, unit) == ("集体访", "批")
    assert (current, previous, text, before, change) == (58, 55, "58", "55", "上升5.5%")
    assert definition == "docs/statistics.md#collective-visits"
    assert rows["一次性化解率"][3] == pytest.approx(0.9465) and rows["一次性化解率"][5] == "94.65%"
    rate_row = next(row for row in book["指标"].iter_rows(min_row=2) if row[0].value == "一次性化解率")
    assert rate_row[3].number_format == "0.00%"
    for name in ("内容分类", "月度", "问题属地", "信访形式"):
        values = list(book[name].iter_rows(min_row=2, values_only=True))
        assert sum(row[2] for row in values) == 4210, name
        assert sum(row[3] for row in values) == 6835, name
    assert len(book["月度"]._charts) == 1 and len(book["内容分类"]._charts) == 1
    text = [row[0] for row in book["正文"].iter_rows(values_only=True)]
    assert text[0] == rendered.title and "\n".join(text[1:]) == rendered.text
    for figure_text in (rows["信访总量.件次"][5], rows["一次性化解率"][5], rows["重复率"][5]):
        assert figure_text in rendered.text


def test_xlsx_of_a_period_without_cases() -> None:
    book = load_workbook(io.BytesIO(to_xlsx(empty_report(), _rendered(empty_report()))))
    rows = {row[0]: row for row in book["指标"].iter_rows(min_row=2, values_only=True)}
    assert rows["信访总量.件次"][3:8] == (0, 0, "0", "0", "去年同期为零")
    assert rows["受理率"][3] is None and rows["受理率"][5] == "—"
    assert book["内容分类"].max_row == 1


def test_a_row_figure_outside_the_vocabulary_is_described_by_its_key() -> None:
    report = sample_report()
    row = Row("x", "其他", {"信访总量.件次": Figure("信访总量.件次", 3), "本地指标": Figure("本地指标", 2)})
    report = replace(report, breakdowns={**report.breakdowns, "责任单位": (row,)})
    data = json.loads(to_json(report))
    record = data["breakdowns"]["责任单位"][0]["figures"]["本地指标"]
    assert (record["label"], record["current"], record["definition"]) == ("本地指标", 2, None)
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    assert [cell.value for cell in book["责任单位"][1]] == ["代码", "责任单位", "信访总量（件次）"]
