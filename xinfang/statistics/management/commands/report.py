"""report: an organisation's figures for a period, written from a report template as text, .json,
.docx or .xlsx; ``report --list-templates`` names the templates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.orgs.models import Org
from xinfang.statistics.indicators import Comparison
from xinfang.statistics.models import ReportTemplate
from xinfang.statistics.render import FORMATS, ReportTemplateError, render, to_docx, to_json, to_xlsx

# The template used without --template (a shipped one); else the first active one by name.
DEFAULT_TEMPLATE = "半年工作总结统计部分"
_COMPARISONS = {"yoy": Comparison.YOY, "mom": Comparison.MOM, "none": None}


class Command(BaseCommand):
    help = (
        "生成信访统计报告：按报告模板写出一个机构一段时间的统计数字（同比或环比），"
        "输出为文本、JSON、Word（.docx）或 Excel（.xlsx）。--list-templates 列出模板名称。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--list-templates", action="store_true", help="print the template names, one a line"
        )
        parser.add_argument("--org", help="the organisation: its id or its exact name")
        parser.add_argument("--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", metavar="DATE", help="last day, YYYY-MM-DD")
        parser.add_argument("--compare", default="yoy", help="yoy (同比, default), mom (环比) or none")
        parser.add_argument("--template", help="the report template's name (see --list-templates)")
        parser.add_argument("--format", dest="fmt", help="text, json, docx or xlsx")
        parser.add_argument("--out", help="the file to write; - for standard output (text and json)")
        parser.add_argument("--doc-number", default="", help="the 文号 line of the .docx")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list_templates"]:
            for name in ReportTemplate.objects.filter(
                is_active=True, kind=ReportTemplate.Kind.REPORT
            ).values_list("name", flat=True):
                self.stdout.write(name)
            return
        org = _org(options["org"])
        start, end = _date(options["start"], "--from"), _date(options["end"], "--to")
        if end < start:
            raise CommandError(f"--to（{end}）早于 --from（{start}）。")
        if options["compare"] not in _COMPARISONS:
            raise CommandError(
                f"--compare 只能是 yoy（同比）、mom（环比）或 none，不是“{options['compare']}”。"
            )
        fmt = options["fmt"]
        if fmt not in FORMATS:
            raise CommandError(f"--format 只能是 {'、'.join(FORMATS)} 之一，不是“{fmt or ''}”。")
        out = options["out"]
        if not out:
            raise CommandError("请用 --out 指定输出文件（文本和 JSON 可用 - 输出到屏幕）。")
        if out == "-" and fmt in ("docx", "xlsx"):
            raise CommandError(f"--out - 只能用于文本和 JSON；{fmt} 请写入文件。")
        template = _template(options["template"])

        from xinfang.statistics import figures  # the computation of every figure

        report = figures.compute_report(
            org=org, start=start, end=end, comparison=_COMPARISONS[options["compare"]]
        )
        try:
            rendered = render(template.title, template.body, report)
        except ReportTemplateError as exc:
            raise CommandError(f"报告模板“{template.name}”{exc}") from exc
        content: str | bytes
        if fmt == "text":
            content = "\n\n".join(part for part in (rendered.title, rendered.text) if part) + "\n"
        elif fmt == "json":
            content = to_json(report, rendered) + "\n"
        elif fmt == "docx":
            content = to_docx(report, rendered, doc_number=options["doc_number"])
        else:
            content = to_xlsx(report, rendered)
        if out == "-":
            self.stdout.write(content if isinstance(content, str) else content.decode(), ending="")
            return
        _write(Path(out), content)
        self.stderr.write(f"已写出 {out}")


def _org(value: str | None) -> Org:
    if not value:
        raise CommandError("请用 --org 指定机构（编号或完整名称）。")
    found = Org.objects.filter(pk=int(value)) if value.isdigit() else Org.objects.filter(name=value)
    orgs = list(found[:2])
    if not orgs:
        raise CommandError(f"--org：没有编号或名称为“{value}”的机构。")
    if len(orgs) > 1:
        raise CommandError(f"--org：名称为“{value}”的机构不止一个，请用机构编号。")
    return orgs[0]


def _date(value: str | None, option: str) -> dt.date:
    if not value:
        raise CommandError(f"请用 {option} 指定日期（YYYY-MM-DD）。")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}：“{value}”不是日期，请写成 YYYY-MM-DD。") from None


def _template(name: str | None) -> ReportTemplate:
    active = ReportTemplate.objects.filter(is_active=True, kind=ReportTemplate.Kind.REPORT)
    if name:
        found = active.filter(name=name).first()
        if found is None:
            raise CommandError(f"--template：没有启用的报告模板“{name}”（用 --list-templates 查看）。")
        return found
    found = active.filter(name=DEFAULT_TEMPLATE).first() or active.first()
    if found is None:
        raise CommandError("没有启用的报告模板：请在后台启用一个，或用 --template 指定。")
    return found


def _write(path: Path, content: str | bytes) -> None:
    if not path.parent.is_dir():
        raise CommandError(f"--out：目录“{path.parent}”不存在。")
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
