"""The messages a hot-spot analysis reads (留言, 附件3 columns), and their normalised text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .normalize import compact
from .timestamps import parse_time

__all__ = ["HEAD", "HotMessage", "Normalised", "parse_messages"]

HEAD = 800  # raw characters of the detail looked at (the scrape pads the start with whitespace)


@dataclass(frozen=True)
class HotMessage:
    message_id: str
    user: str
    title: str
    time: datetime | None
    detail: str
    likes: int = 0
    dislikes: int = 0


class Normalised:
    """Each message's normalised title and detail opening, computed once per ``find_hotspots`` call."""

    def __init__(self, messages: Sequence[HotMessage]) -> None:
        self._title: dict[int, str] = {}
        self._head: dict[int, str] = {}
        for m in messages:
            self._title[id(m)] = compact(m.title)
            self._head[id(m)] = compact(m.detail[:HEAD])[:600]

    def title(self, m: HotMessage) -> str:
        return self._title[id(m)]

    def head(self, m: HotMessage) -> str:
        return self._head[id(m)]


def parse_messages(rows: Sequence[dict[str, str]]) -> list[HotMessage]:
    """Rows with the 附件3 columns (留言编号, 留言用户, 留言主题, 留言时间, 留言详情, 点赞数, 反对数)."""

    def as_int(v: str | None) -> int:
        try:
            return int(float(v or 0))
        except ValueError:
            return 0

    return [
        HotMessage(
            message_id=r.get("留言编号", ""),
            user=r.get("留言用户", ""),
            title=r.get("留言主题", ""),
            time=parse_time(r.get("留言时间")),
            detail=r.get("留言详情", ""),
            likes=as_int(r.get("点赞数")),
            dislikes=as_int(r.get("反对数")),
        )
        for r in rows
    ]
