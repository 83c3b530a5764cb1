"""Append the heads of the event chains to the anchor file, or show its latest line."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.cases.integrity import latest_anchor, write_anchor


class Command(BaseCommand):
    help = (
        "Anchor the event log: append the newest (case, seq, digest) of every case changed since the last "
        "anchor to the append-only anchor file. With --show, print the latest anchor to keep elsewhere."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--show", action="store_true", help="Print the latest anchor instead of writing one."
        )
        parser.add_argument("--json", action="store_true", help="With --show, print the whole line as JSON.")

    def handle(self, *args: Any, show: bool, json: bool, **options: Any) -> None:
        if show:
            anchor = latest_anchor()
            if anchor is None:
                raise CommandError("尚无锚定记录，请先运行 anchor_events。")
        else:
            anchor = write_anchor()
        if json:
            self.stdout.write(_json(anchor))
            return
        self.stdout.write(
            f"锚定时间 {anchor['at']}，信访件 {anchor['cases']} 件，本次锚定 {len(anchor['heads'])} 件，"
            f"记录编号至 {anchor['upto']}\n"
            f"Merkle 根 {anchor['root']}\n"
            f"指纹 {anchor['fingerprint']}\n"
            f"文件 {anchor['path']}"
        )


def _json(anchor: dict[str, Any]) -> str:
    return json.dumps(anchor, ensure_ascii=False, sort_keys=True)
