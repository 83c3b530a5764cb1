"""The legal-route guide's starting table is data (data/legal_routes.csv), loaded by a migration and
edited in the back office afterwards."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from xinfang.cases.services.routing import LEGAL_CHANNELS

DEFAULT_ROUTES_CSV = Path(__file__).resolve().parent / "data" / "legal_routes.csv"
COLUMNS = ("category_code", "keywords", "channel", "name", "matters", "legal_basis", "where_to_go", "order")


def load_routes(text: str, *, route_model: Any, category_model: Any) -> int:
    """Create the guide's lines from CSV text (the migration passes its historical models); returns
    how many. A line whose category is not in the code table is refused with its line number."""
    created = 0
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        code = (row.get("category_code") or "").strip()
        channel = (row.get("channel") or "").strip()
        if channel not in LEGAL_CHANNELS:
            raise ValueError(f"第 {line} 行：法定途径类别“{channel}”无效。")
        category = None
        if code:
            category = category_model.objects.filter(code=code).first()
            if category is None:
                raise ValueError(f"第 {line} 行：内容分类“{code}”不存在。")
        for name in ("name", "matters", "legal_basis", "where_to_go"):
            if not (row.get(name) or "").strip():
                raise ValueError(f"第 {line} 行：{name} 不能为空。")
        route_model.objects.create(
            category=category,
            keywords=(row.get("keywords") or "").strip(),
            channel=channel,
            name=row["name"].strip(),
            matters=row["matters"].strip(),
            legal_basis=row["legal_basis"].strip(),
            where_to_go=row["where_to_go"].strip(),
            order=int((row.get("order") or "100").strip() or 100),
        )
        created += 1
    return created
