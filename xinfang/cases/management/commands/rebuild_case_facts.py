"""Rebuild the report facts (CaseFact) of every case, or of some, from their rows and events."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.cases.facts import rebuild_facts
from xinfang.cases.models import Case


class Command(BaseCommand):
    help = (
        "按办理记录重建信访件的统计事实（CaseFact）。修改工作日历、期限规则或集体访人数标准后运行；"
        "不写办理记录。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--case", dest="numbers", action="append", help="只重建该信访件编号（可多次）。")
        parser.add_argument("--chunk", type=int, default=2000, help="每个事务处理的件数。")

    def handle(self, *args: Any, numbers: list[str] | None, chunk: int, **options: Any) -> None:
        case_ids = None
        if numbers:
            found = dict(Case.objects.filter(number__in=numbers).values_list("number", "pk"))
            missing = [n for n in numbers if n not in found]
            if missing:
                raise CommandError(f"信访件 {'、'.join(missing)} 不存在。")
            case_ids = list(found.values())
        if chunk < 1:
            raise CommandError("--chunk 应为正整数。")
        started = time.monotonic()
        result = rebuild_facts(case_ids=case_ids, chunk=chunk)
        seconds = time.monotonic() - started
        self.stdout.write(f"重建了 {result.cases} 件的统计事实，用时 {seconds:.1f} 秒。")
        if result.failed:
            raise CommandError(f"{result.failed} 件的办理记录无法重放，未重建（请运行 verify_events 查看）。")
