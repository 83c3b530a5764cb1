"""The 内容分类 code table is data: a CSV of 6-digit codes, each level-2/3 code under its parent."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from django.db import transaction

from xinfang.cases.models import ContentCategory

DEFAULT_CATEGORIES_CSV = Path(__file__).resolve().parent / "data" / "content_categories.csv"


def _level(code: str) -> int:
    # 6 digits: two per level; trailing "00" pairs mean the upper levels (e.g. 030100 is level 2).
    return 1 if code[2:] == "0000" else 2 if code[4:] == "00" else 3


def level1_code(code: str) -> str:
    """The code of the level-1 class a code belongs to (030100 → 030000): what the classifier predicts."""
    return f"{code[:2]}0000"


@transaction.atomic
def load_categories(text: str, *, model: type[ContentCategory] = ContentCategory) -> tuple[int, int]:
    """Create or update categories from CSV text; returns (created, updated).

    `model` lets the data migration pass its historical model.
    """
    rows = list(csv.DictReader(io.StringIO(text)))
    created = updated = 0
    for line, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        parent_code = (row.get("parent_code") or "").strip()
        if not re.fullmatch(r"[0-9]{6}", code):
            raise ValueError(f"第 {line} 行：分类代码“{code}”应为 6 位数字。")
        if not name:
            raise ValueError(f"第 {line} 行：分类名称不能为空。")
        parent = None
        if parent_code:
            parent = model.objects.filter(code=parent_code).first()
            if parent is None:
                raise ValueError(f"第 {line} 行：上级分类“{parent_code}”不存在（上级须在前面的行中）。")
        _, was_created = model.objects.update_or_create(
            code=code, defaults={"name": name, "parent": parent, "level": _level(code)}
        )
        created += was_created
        updated += not was_created
    return created, updated
