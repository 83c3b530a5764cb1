"""Rewrite the leaders' instruction rows (Instruction) from the cases' 阅批 events."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from xinfang.cases.instructions import rebuild_instructions


class Command(BaseCommand):
    help = "按办理记录重建领导批示（Instruction）。verify_events 报告领导批示与办理记录不一致时运行；不写办理记录。"

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            count = rebuild_instructions()
        self.stdout.write(f"重建了 {count} 件的领导批示。")
