"""Check the hash chain of every case's event log; exit 1 when any row was edited or deleted."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.cases.integrity import event_problems
from xinfang.cases.models import Case


class Command(BaseCommand):
    help = "Verify that no case event was edited, reordered or deleted (hash chain check)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--case", dest="number", help="Only the case with this 信访件编号.")

    def handle(self, *args: Any, number: str | None, **options: Any) -> None:
        cases = Case.objects.order_by("pk")
        if number:
            cases = cases.filter(number=number)
            if not cases.exists():
                raise CommandError(f"信访件 {number} 不存在。")
        checked = 0
        problems: list[str] = []
        for case in cases.iterator(chunk_size=500):
            problems += event_problems(case, case.events.order_by("seq"))
            checked += 1
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"检查了 {checked} 件，发现 {len(problems)} 处办理记录被改动或删除。")
        self.stdout.write(f"检查了 {checked} 件，办理记录完整。")
