"""Classify the messages of a CSV: adds 预测标签 and 置信度 (预测标签 is 需人工判断 when unsure)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.textintel.classify import NEEDS_PERSON, ContentClassifier
from xinfang.textintel.csvio import ColumnMissing, read_rows, require_columns, write_rows


class Command(BaseCommand):
    help = "用已训练模型分类留言（classify messages with a trained model）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", required=True)
        parser.add_argument("--input", required=True)
        parser.add_argument("--text-column", default="文本")
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            model = ContentClassifier.load(opts["model"])
            header, rows = read_rows(opts["input"])
            require_columns(header, [opts["text_column"]], opts["input"])
        except (FileNotFoundError, ColumnMissing) as exc:
            raise CommandError(str(exc)) from exc
        preds = model.predict([r[opts["text_column"]] for r in rows])
        out: list[dict[str, object]] = []
        for row, p in zip(rows, preds, strict=True):
            out.append({**row, "预测标签": p.label or NEEDS_PERSON, "置信度": f"{p.confidence:.4f}"})
        write_rows(opts["out"], [*header, "预测标签", "置信度"], out)
        self.stdout.write(f"已写出 {len(out)} 行到 {opts['out']}")
