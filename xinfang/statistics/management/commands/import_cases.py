"""import_cases FILE: existing records (the national or provincial system's export) become cases."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.statistics.importer import ImportResult, import_file
from xinfang.statistics.importing import FileProblem, RowError

ERROR_HEADER = ("行号", "列", "原因")
SHOWN_ERRORS = 50  # on the terminal; the --errors file has them all


class Command(BaseCommand):
    help = (
        "导入原有信访记录（.csv 或 .xlsx，中文表头）。先检查整个文件；有错误的行时不导入任何行，"
        "除非指定 --skip-bad。再次导入同一文件时，已导入的信访件编号自动跳过。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the .csv (UTF-8 or GB18030) or .xlsx file")
        parser.add_argument("--skip-bad", action="store_true", help="import the good rows, skip the bad ones")
        parser.add_argument("--errors", metavar="OUT.csv", help="write every bad row (row, column, reason)")
        parser.add_argument("--dry-run", action="store_true", help="check and resolve only; write nothing")

    def handle(
        self, *args: Any, file: str, skip_bad: bool, errors: str | None, dry_run: bool, **options: Any
    ) -> None:
        def progress(done: int, total: int) -> None:
            self.stderr.write(f"已处理 {done}/{total} 行")

        try:
            result = import_file(file, skip_bad=skip_bad, dry_run=dry_run, progress=progress, parallel=True)
        except FileProblem as exc:
            raise CommandError(str(exc)) from exc
        if errors:
            _write_errors(Path(errors), result.errors)
        self._report(result, dry_run=dry_run, skip_bad=skip_bad, errors_file=errors)
        if result.errors and not skip_bad and not result.written:
            raise CommandError(
                f"{result.bad_rows} 行有误，未导入任何行。请改正后重新导入，或用 --skip-bad 只导入正确的行。"
            )
        if result.errors and not skip_bad:
            # Refused by the services while writing (after the whole file was checked): that row's
            # transaction left nothing; importing the file again skips what is already in.
            raise CommandError(
                f"{result.bad_rows} 行导入失败，其余 {result.imported} 件已导入。改正后重新导入即可（已导入的行会跳过）。"
            )

    def _report(
        self, result: ImportResult, *, dry_run: bool, skip_bad: bool, errors_file: str | None
    ) -> None:
        if result.ignored_columns:
            self.stdout.write(f"以下列不属于导入格式，已忽略：{'、'.join(result.ignored_columns)}")
        for error in result.errors[:SHOWN_ERRORS]:
            self.stdout.write(f"第 {error.row} 行 [{error.column or '整行'}]：{error.reason}")
        if len(result.errors) > SHOWN_ERRORS:
            more = f"，全部错误见 {errors_file}" if errors_file else "，用 --errors OUT.csv 导出全部错误"
            self.stdout.write(f"……另有 {len(result.errors) - SHOWN_ERRORS} 处错误{more}。")
        parts = [f"共 {result.rows} 行"]
        if result.already:
            parts.append(f"{result.already} 行此前已导入（跳过）")
        if result.errors:
            parts.append(f"{result.bad_rows} 行有误")
        if dry_run:
            parts.append(f"检查通过 {len(result.planned)} 行（试运行，未写入）")
        elif result.written:
            parts.append(f"新导入 {result.imported} 件")
        self.stdout.write("，".join(parts) + "。")


def _write_errors(path: Path, errors: list[RowError]) -> None:
    """UTF-8 with a BOM, so that Excel shows the Chinese text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ERROR_HEADER)
        writer.writerows((error.row, error.column, error.reason) for error in errors)
