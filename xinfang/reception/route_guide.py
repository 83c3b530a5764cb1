"""Which legal route a matter is suggested (诉访分离, 第三十一条): a pure match of the guide's lines
against a matter's category and text. No Django: the guide's rows come in as plain lines.

Category codes are the 6-digit hierarchical codes of the content table (two digits per level,
trailing "00" pairs for the levels below: 040000 劳动和社会保障, 040100 劳动关系)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\s,，、;；/|]+")
MAX_TEXT = 20000  # the text matched: a title and a long content at most


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


def code_stem(code: str) -> str:
    """The significant digits of a category code: 040000 → "04", 040100 → "0401"."""
    stem = code
    while len(stem) > 2 and stem.endswith("00"):
        stem = stem[:-2]
    return stem


# How a line's category fits the matter's (higher is closer). A line of a narrower category than
# the matter's (a 劳动关系 line for a matter filed only under 劳动和社会保障) fits only by its words.
SAME = 10
NARROWER = 1
EVERY = 0


def category_rank(line_code: str, code: str) -> int | None:
    """How closely a line's category fits the matter's: SAME for the same code; for a line of a
    broader class containing it (its level-1 class, its level-2 class) the length of that class's
    stem (2 or 4: the closer, the higher); NARROWER for a line of a class inside the matter's;
    EVERY for a line for every category; None no fit."""
    if not line_code:
        return EVERY
    if not code:
        return None
    if line_code == code:
        return SAME
    line_stem, stem = code_stem(line_code), code_stem(code)
    if len(line_stem) < len(stem) and stem.startswith(line_stem):
        return len(line_stem)
    if len(stem) < len(line_stem) and line_stem.startswith(stem):
        return NARROWER
    return None


def keyword_hits(line: GuideLine, text: str) -> int:
    """How many of the line's words are in the text."""
    return sum(1 for word in line.keywords if word in text)


def line_fits(line: GuideLine, *, category_code: str, text: str) -> bool:
    """A line fits when its category is the matter's, or a class containing it, and (if it names
    words) one of them is in the text; a line of a narrower class, or for every category, fits only
    when one of its words is found."""
    rank = category_rank(line.category_code, category_code)
    if rank is None:
        return False
    hits = keyword_hits(line, text)
    if line.keywords and not hits:
        return False
    return hits > 0 or rank > NARROWER


def suggest_routes(lines: list[GuideLine], *, category_code: str, text: str, limit: int = 3) -> list[int]:
    """The ids of the guide lines that fit (`line_fits`), best first, at most `limit`.

    A line whose word is found ranks above one matched on the category alone; then a closer
    category above a broader one; then more words found; then the guide's order and the id."""
    text = (text or "")[:MAX_TEXT]
    scored: list[tuple[tuple[int, int, int, int, int], int]] = []
    for line in lines:
        if not line_fits(line, category_code=category_code, text=text):
            continue
        hits = keyword_hits(line, text)
        rank = category_rank(line.category_code, category_code) or 0
        scored.append(((-min(hits, 1), -rank, -hits, line.order, line.route_id), line.route_id))
    scored.sort()
    found: list[int] = []
    for _, route_id in scored:
        if len(found) >= limit:
            break
        if route_id not in found:
            found.append(route_id)
    return found
