"""Load or update the 内容分类 code table from a CSV file (code,name,parent_code)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.cases.categories import DEFAULT_CATEGORIES_CSV, load_categories


class Command(BaseCommand):
    help = "Load the content-classification code table (内容分类) from CSV; existing codes are updated."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--file", default=str(DEFAULT_CATEGORIES_CSV), help="CSV with code,name,parent_code"
        )

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            created, updated = load_categories(path.read_text(encoding="utf-8-sig"))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"内容分类：新增 {created} 个，更新 {updated} 个。")
