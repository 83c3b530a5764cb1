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
            texts, labels = _from_db()
        else:
            texts, labels = _from_csv(opts)
        try:
            model = ContentClassifier.train(texts, labels)
        except ValueError as exc:
            raise CommandError(f"无法训练（cannot train）: {exc}") from exc
        model.save(opts["out"])
        t = model.meta.training
        self.stdout.write(f"已保存模型 {opts['out']}: {t['n_messages']} 条, {t['seconds']} 秒")


def _from_csv(opts: dict[str, Any]) -> tuple[list[str], list[str]]:
    if not opts["input"]:
        raise CommandError("需要 --input 或 --from-db（--input or --from-db is required）")
    try:
        header, rows = read_rows(opts["input"])
        require_columns(header, [opts["text_column"], opts["label_column"]], opts["input"])
    except (FileNotFoundError, ColumnMissing) as exc:
        raise CommandError(str(exc)) from exc
    rows = [r for r in rows if r[opts["label_column"]].strip()]
    return [r[opts["text_column"]] for r in rows], [r[opts["label_column"]] for r in rows]


def _from_db() -> tuple[list[str], list[str]]:
    """The bureau's own cases: subject + content, labelled with the level-1 category they were filed
    under (the category chosen at registration, a person's decision)."""
    from xinfang.cases.categories import level1_code
    from xinfang.cases.models import Case, ContentCategory
    from xinfang.textintel.db.intake import case_text

    level1 = dict(ContentCategory.objects.filter(level=1).values_list("code", "name"))
    texts: list[str] = []
    labels: list[str] = []
    rows = Case.objects.order_by("pk").values_list("subject", "content", "category__code")
    for subject, content, code in rows.iterator(chunk_size=2000):
        name = level1.get(level1_code(code))
        if name:
            texts.append(case_text(subject, content))
            labels.append(name)
    if not texts:
        raise CommandError("数据库中没有已分类的信访事项（no categorised cases in the database）")
    return texts, labels
