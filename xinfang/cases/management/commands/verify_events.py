"""Check every case's event chain, its anchors and its projection; exit 1 on any finding."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.cases.integrity import verify
from xinfang.cases.models import Case


class Command(BaseCommand):
    help = (
        "Verify that no case event was edited, reordered or deleted (keyed hash chain and the anchor "
        "file), that each case's status, units and dates are the replay of its events, and that its "
        "report facts are the ones recomputed from them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--case", dest="number", help="Only the case with this 信访件编号.")
        parser.add_argument(
            "--fingerprint",
            help="Fingerprint of an anchor line kept elsewhere (anchor_events --show): it must be in the file.",
        )
        parser.add_argument(
            "--no-projection", action="store_true", help="Skip replaying the events into the projection."
        )
        parser.add_argument(
            "--no-facts", action="store_true", help="Skip recomputing the report facts (CaseFact)."
        )

    def handle(
        self,
        *args: Any,
        number: str | None,
        fingerprint: str | None,
        no_projection: bool,
        no_facts: bool = False,
        **options: Any,
    ) -> None:
        if number and not Case.objects.filter(number=number).exists():
            raise CommandError(f"信访件 {number} 不存在。")
        started = time.monotonic()
        result = verify(
            report=self.stderr.write,
            number=number,
            projection=not no_projection,
            facts=not no_facts,
            fingerprint_kept=fingerprint,
        )
        seconds = time.monotonic() - started
        anchors = (
            f"锚定文件 {result.anchor_lines} 行，覆盖 {result.anchored_cases} 件"
            if result.anchor_lines
            else "尚无锚定记录"
        )
        detail = f"{result.events} 条记录，{anchors}，用时 {seconds:.1f} 秒"
        if result.problems:
            raise CommandError(
                f"检查了 {result.cases} 件，发现 {result.problems} 处办理记录被改动或删除、"
                f"或信访件状态、统计事实与记录不符（{detail}）。"
            )
        self.stdout.write(f"检查了 {result.cases} 件，办理记录完整，信访件状态与记录一致（{detail}）。")
