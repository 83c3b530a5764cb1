"""Backfill the duplicate index (CaseTextSignature) for cases registered before it existed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.cases.models import Case
from xinfang.textintel.db.intake import index_case
from xinfang.textintel.models import CaseTextSignature


class Command(BaseCommand):
    help = "为已登记案件建立查重索引（index the text of registered cases for the duplicate check）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="re-index cases that are already indexed")

    def handle(self, *args: Any, **opts: Any) -> None:
        cases = Case.objects.order_by("pk").only("id", "subject", "content")
        if not opts["all"]:
            cases = cases.exclude(pk__in=CaseTextSignature.objects.values("case_id"))
        done = 0
        for case in cases.iterator(chunk_size=500):
            index_case(case)
            done += 1
        self.stdout.write(f"已建立查重索引 {done} 件（indexed {done} cases）")
