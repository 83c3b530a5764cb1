"""Which legal route a matter is suggested (诉访分离, 第三十一条): a pure match of the guide's lines
against a matter's category and text. No Django: the guide's rows come in as plain lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\s,，、;；]+")


def split_keywords(text: str) -> list[str]:
    """The words of a keywords field, in order, each once."""
    seen: dict[str, None] = {}
    for word in _SEPARATORS.split(text or ""):
        if word:
            seen.setdefault(word, None)
    return list(seen)


@dataclass(frozen=True)
class GuideLine:
    route_id: int
    category_code: str  # "" for a line that applies to every category
    keywords: tuple[str, ...]
    order: int = 100


def _category_rank(line_code: str, code: str) -> int | None:
    """How closely a line's category fits the matter's: 2 the same code, 1 its level-1 parent
    (6-digit codes: the first two digits, then 0000), 0 a line for every category; None no fit."""
    if not line_code:
        return 0
    if line_code == code:
        return 2
    if line_code.endswith("0000") and code[:2] == line_code[:2]:
        return 1
    return None


def suggest_routes(lines: list[GuideLine], *, category_code: str, text: str, limit: int = 3) -> list[int]:
    """The ids of the guide lines that fit, best first.

    A line fits when its category is the matter's (or the matter's level-1 class, or none) and,
    if it names keywords, one of them is in the text. A line whose keyword is found ranks above one
    matched on the category alone; a closer category above a broader one; then the guide's order."""
    scored: list[tuple[tuple[int, int, int, int], int]] = []
    for line in lines:
        rank = _category_rank(line.category_code, category_code)
        if rank is None:
            continue
        hits = sum(1 for word in line.keywords if word in (text or ""))
        if line.keywords and not hits:
            continue
        if not line.category_code and not hits:
            continue  # a line for every category needs its words found
        scored.append(((-min(hits, 1), -rank, line.order, line.route_id), line.route_id))
    scored.sort()
    return [route_id for _, route_id in scored[:limit]]
