"""Train the level-1 content classifier from a CSV and save it to a model directory."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.textintel.classify import ContentClassifier
from xinfang.textintel.csvio import ColumnMissing, read_rows, require_columns


class Command(BaseCommand):
    help = "训练一级分类模型（train the level-1 content classifier）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", help="labelled CSV (UTF-8)")
        parser.add_argument("--text-column", default="文本")
        parser.add_argument("--label-column", default="一级标签")
        parser.add_argument("--out", required=True, help="model directory to write")
        parser.add_argument("--from-db", action="store_true", help="train from the bureau's own cases")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["from_db"]:
            raise CommandError("not available yet: needs the case lifecycle（暂不可用：需要案件办理流程）")
        if not opts["input"]:
            raise CommandError("需要 --input（--input is required）")
        try:
            header, rows = read_rows(opts["input"])
            require_columns(header, [opts["text_column"], opts["label_column"]], opts["input"])
        except (FileNotFoundError, ColumnMissing) as exc:
            raise CommandError(str(exc)) from exc
        rows = [r for r in rows if r[opts["label_column"]].strip()]
        try:
            model = ContentClassifier.train(
                [r[opts["text_column"]] for r in rows], [r[opts["label_column"]] for r in rows]
            )
        except ValueError as exc:
            raise CommandError(f"无法训练（cannot train）: {exc}") from exc
        model.save(opts["out"])
        t = model.meta.training
        self.stdout.write(f"已保存模型 {opts['out']}: {t['n_messages']} 条, {t['seconds']} 秒")
