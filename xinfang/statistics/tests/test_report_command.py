"""`manage.py report`: arguments, the template, the four formats; the figures are a hand-built Report
(the computation has its own tests)."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

from xinfang.statistics.figure import Report
from xinfang.statistics.indicators import Comparison
from xinfang.statistics.models import ReportTemplate
from xinfang.statistics.render_sample import empty_report, sample_report
from xinfang.testing.world import World


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """`compute_report` replaced by a hand-built report; its calls recorded. Without the real
    module (not yet written), a stand-in module takes its place."""
    try:
        module = importlib.import_module("xinfang.statistics.figures")
    except ModuleNotFoundError:
        module = types.ModuleType("xinfang.statistics.figures")
        monkeypatch.setitem(sys.modules, "xinfang.statistics.figures", module)
    calls: list[dict[str, Any]] = []

    def compute_report(*, org: Any, start: dt.date, end: dt.date, comparison: Comparison | None) -> Report:
        calls.append({"org": org, "start": start, "end": end, "comparison": comparison})
        report = empty_report if start.year < 2000 else sample_report
        return report(org_name=org.name, start=start, end=end, comparison=comparison)

    monkeypatch.setattr(module, "compute_report", compute_report, raising=False)
    return calls


def _report(world: World, *args: str) -> str:
    out = io.StringIO()
    call_command("report", "--org", str(world.city_bureau.pk), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


PERIOD = ("--from", "2025-01-01", "--to", "2025-06-30")


def test_list_templates_prints_one_name_a_line(db: None) -> None:
    ReportTemplate.objects.create(name="停用的模板", title="x", body="x", is_active=False)
    out = io.StringIO()
    call_command("report", "--list-templates", stdout=out)
    assert out.getvalue().splitlines() == ["半年工作总结统计部分", "县级信访工作总结", "接访年度总结"]


def test_text_report_for_an_organisation_by_id_or_name(world: World, computed: list[dict[str, Any]]) -> None:
    text = _report(world, *PERIOD, "--template", "接访年度总结", "--format", "text", "--out", "-")
    assert text.startswith(f"{world.city_bureau.name}2025年1~6月群众来访情况\n\n")
    assert "赴京集体上访登记41批187人，与去年同期52批240人相比，批数下降21.2%，人数下降22.1%" in text
    assert computed == [
        {
            "org": world.city_bureau,
            "start": dt.date(2025, 1, 1),
            "end": dt.date(2025, 6, 30),
            "comparison": Comparison.YOY,
        }
    ]
    out = io.StringIO()
    call_command(
        "report",
        "--org",
        world.city_bureau.name,
        *PERIOD,
        "--compare",
        "mom",
        "--format",
        "text",
        "--out",
        "-",
        stdout=out,
    )
    assert computed[-1]["comparison"] is Comparison.MOM
    assert "环比件次减少3.2%" in out.getvalue()  # the default template: the half-year summary


def test_without_comparison(world: World, computed: list[dict[str, Any]]) -> None:
    text = _report(world, *PERIOD, "--compare", "none", "--format", "text", "--out", "-")
    assert computed[-1]["comparison"] is None
    assert "同比" not in text and "受理群众信访事项4,210件次6,835人次。" in text


def test_a_period_without_cases_still_gives_a_report(
    world: World, computed: list[dict[str, Any]], tmp_path: Path
) -> None:
    text = _report(world, "--from", "1990-01-01", "--to", "1990-12-31", "--format", "text", "--out", "-")
    assert "1990年，" in text and "0件次0人次，去年同期为零。" in text
    target = tmp_path / "empty.docx"
    _report(world, "--from", "1990-01-01", "--to", "1990-12-31", "--format", "docx", "--out", str(target))
    assert any("去年同期为零" in p.text for p in Document(str(target)).paragraphs)


def test_every_format_is_written_to_its_file(
    world: World, computed: list[dict[str, Any]], tmp_path: Path
) -> None:
    for fmt in ("text", "json", "docx", "xlsx"):
        _report(world, *PERIOD, "--format", fmt, "--out", str(tmp_path / f"report.{fmt}"))
    text = (tmp_path / "report.text").read_text(encoding="utf-8")
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["text"] in text
    figures = {record["key"]: record for record in data["figures"]}
    assert f"信访事项{figures['信访总量.件次']['text']}件次" in text
    paragraphs = [p.text for p in Document(str(tmp_path / "report.docx")).paragraphs]
    assert data["title"] in paragraphs and any("4,210件次6,835人次" in p for p in paragraphs)
    book = load_workbook(tmp_path / "report.xlsx")
    rows = {row[0]: row for row in book["指标"].iter_rows(min_row=2, values_only=True)}
    assert rows["信访总量.件次"][3] == figures["信访总量.件次"]["current"] == 4210


def test_a_broken_template_is_a_command_error_with_its_line(
    world: World, computed: list[dict[str, Any]]
) -> None:
    ReportTemplate.objects.create(name="坏模板", title="标题", body="一\n{{ 来访.批次|不存在 }}")
    with pytest.raises(CommandError, match=r"坏模板.*模板第2行有误"):
        _report(world, *PERIOD, "--template", "坏模板", "--format", "text", "--out", "-")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--org", "没有这个机构", *PERIOD, "--format", "text", "--out", "-"), "--org"),
        (("--org", "999999", *PERIOD, "--format", "text", "--out", "-"), "--org"),
        (("NO-ORG", *PERIOD, "--format", "text", "--out", "-"), "--org"),
        (("--from", "2025-13-01", "--to", "2025-06-30", "--format", "text", "--out", "-"), "--from"),
        (("--from", "2025-01-01", "--format", "text", "--out", "-"), "--to"),
        (("--from", "2025-07-01", "--to", "2025-06-30", "--format", "text", "--out", "-"), "早于"),
        ((*PERIOD, "--compare", "year", "--format", "text", "--out", "-"), "--compare"),
        ((*PERIOD, "--format", "pdf", "--out", "-"), "--format"),
        ((*PERIOD, "--format", "text"), "--out"),
        ((*PERIOD, "--format", "docx", "--out", "-"), "--out"),
        ((*PERIOD, "--format", "text", "--out", "/no/such/dir/r.txt"), "--out"),
        ((*PERIOD, "--template", "没有这个模板", "--format", "text", "--out", "-"), "--template"),
    ],
)
def test_bad_arguments_are_named_in_chinese(
    world: World, computed: list[dict[str, Any]], args: tuple[str, ...], message: str
) -> None:
    if args[0] == "NO-ORG":
        args = args[1:]
    elif "--org" not in args:
        args = ("--org", str(world.city_bureau.pk), *args)
    with pytest.raises(CommandError, match=message):
        call_command("report", *args, stdout=io.StringIO(), stderr=io.StringIO())
