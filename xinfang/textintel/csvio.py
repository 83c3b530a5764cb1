"""UTF-8 CSV in and out for the text-intelligence commands (plain UTF-8 with a header, no BOM)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

__all__ = ["ColumnMissing", "read_rows", "require_columns", "write_rows"]


class ColumnMissing(ValueError):
    """A required column is absent; the message names it in Chinese and as the field name."""


def read_rows(path: str | Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a UTF-8 CSV (a leading BOM is tolerated). Raises FileNotFoundError."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"输入文件不存在（input file not found）: {p}")
    with p.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [{k: (v or "") for k, v in r.items() if k is not None} for r in reader]
        return list(reader.fieldnames or []), rows


def require_columns(header: Sequence[str], columns: Sequence[str], path: str | Path = "") -> None:
    missing = [c for c in columns if c not in header]
    if missing:
        raise ColumnMissing(
            f"输入文件缺少列（missing column）: {', '.join(missing)}" + (f" — {path}" if path else "")
        )


def write_rows(path: str | Path, header: Sequence[str], rows: Sequence[dict[str, object]]) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(header), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
