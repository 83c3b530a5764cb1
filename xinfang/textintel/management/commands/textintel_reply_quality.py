"""Score each reply of a CSV (columns as messages_replies.csv): adds 相关性, 完整性, 可解释性, 及时性, 总分, 问题提示."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.textintel.csvio import ColumnMissing, read_rows, require_columns, write_rows
from xinfang.textintel.reply_quality import DEFAULT_PERIOD_DAYS, build_idf, score_reply

REQUIRED = ["留言主题", "留言时间", "留言详情", "答复意见", "答复时间"]
ADDED = ["相关性", "完整性", "可解释性", "及时性", "总分", "问题提示"]


class Command(BaseCommand):
    help = "答复意见质量评价（reply quality）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True)
        parser.add_argument("--out", required=True)
        # No case, so no handle clock: a fixed period from the message time (the national 60 days).
        parser.add_argument(
            "--period-days", type=int, default=DEFAULT_PERIOD_DAYS, help="答复时限（日），默认 60 日"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            header, rows = read_rows(opts["input"])
            require_columns(header, REQUIRED, opts["input"])
        except (FileNotFoundError, ColumnMissing) as exc:
            raise CommandError(str(exc)) from exc
        idf = build_idf([r["答复意见"] for r in rows])
        out: list[dict[str, object]] = []
        for r in rows:
            s = score_reply(
                r["留言主题"],
                r["留言详情"],
                r["答复意见"],
                r["留言时间"],
                r["答复时间"],
                period_days=opts["period_days"],
                idf=idf,
                user=r.get("留言用户"),
            )
            values = [s.relevance, s.completeness, s.explanation, s.timeliness, s.total, s.warning_text]
            out.append({**r, **{k: ("" if v is None else v) for k, v in zip(ADDED, values, strict=True)}})
        write_rows(opts["out"], [*header, *ADDED], out)
        self.stdout.write(f"已写出 {len(out)} 行到 {opts['out']}")
