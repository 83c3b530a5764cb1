"""Import a year's State Council holiday schedule (放假安排) from a CSV or JSON file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.deadlines.calendar import calendar_from_csv, calendar_from_json
from xinfang.deadlines.models import CalendarYear
from xinfang.deadlines.services import calendar_import, calendar_problems


class Command(BaseCommand):
    help = (
        "导入国务院办公厅公布的节假日安排（CSV：date,kind,name；或 JSON：{years, days}）。"
        "文件中出现的每个年份整体替换。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--file", required=True, help="CSV or JSON file (UTF-8)")
        parser.add_argument(
            "--year", type=int, action="append", dest="years", help="the year(s) the file covers"
        )
        parser.add_argument("--replace", action="store_true", help="allow replacing a year already complete")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")

    def handle(
        self, *args: Any, file: str, years: list[int] | None, replace: bool, dry_run: bool, **_: Any
    ) -> None:
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取 {path}：{exc}") from None
        try:
            if path.suffix.lower() == ".json":
                calendar = calendar_from_json(text)
                if years:
                    raise CommandError("JSON 文件自带 years 字段，不能再用 --year。")
            else:
                calendar = calendar_from_csv(text, years=years)
        except ValueError as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        problems = calendar_problems(calendar)
        if problems:
            raise CommandError(f"{path.name}: " + "；".join(problems))
        if not calendar.years:
            raise CommandError(f"{path.name}: 文件中没有任何日期。")
        existing = sorted(
            CalendarYear.objects.filter(year__in=calendar.years, complete=True).values_list("year", flat=True)
        )
        if existing and not replace:
            raise CommandError(f"{existing} 年的安排已导入；确认要整体替换请加 --replace。")
        if dry_run:
            self.stdout.write(
                f"检查通过（未写入）：{sorted(calendar.years)} 年，{len(calendar.entries())} 条。"
            )
            return
        report = calendar_import(calendar, source=f"导入：{path.name}")
        for warning in report.warnings:
            self.stderr.write(f"注意：{warning}")
        self.stdout.write(
            f"已导入 {list(report.years)} 年：放假 {report.holidays} 天，调休上班 {report.workdays} 天"
            f"（替换原有 {report.replaced} 条）。请运行 recompute_due --all-open 更新在办事项的期限。"
        )
