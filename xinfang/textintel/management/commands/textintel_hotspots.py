"""Write the TipDM hot-spot tables (热点问题表.csv, 热点问题留言明细表.csv) for a CSV of messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.textintel.csvio import ColumnMissing, read_rows, require_columns
from xinfang.textintel.hotspots import find_hotspots, parse_messages, write_tables

REQUIRED = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情"]


class Command(BaseCommand):
    help = "热点问题挖掘（hot-spot mining）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True)
        parser.add_argument("--out-dir", required=True)
        parser.add_argument("--top", type=int, default=5)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            header, rows = read_rows(opts["input"])
            require_columns(header, REQUIRED, opts["input"])
        except (FileNotFoundError, ColumnMissing) as exc:
            raise CommandError(str(exc)) from exc
        hotspots = find_hotspots(parse_messages(rows), top=opts["top"])
        paths = write_tables(hotspots, Path(opts["out_dir"]))
        self.stdout.write("已写出 " + ", ".join(str(p) for p in paths))
