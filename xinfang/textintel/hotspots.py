"""Hot-spot early warning (类案预警): group messages about the same specific place or group of people
within a time window, and rank the groups by a heat index.

Why place first: a plain text-similarity graph splits one topic into many pieces (people describe the
same estate's problem in very different words) and joins unrelated ones (boilerplate). What makes a
hot spot is the *specific* object: 魅力之城小区, 伊景园滨河苑, 经济学院, 诺亚山林小区. So:

1. ``extract_places`` finds named places in the title, else the detail: a run of 2–10 name characters
   ending in a place suffix (小区, 花园, 苑, 学院, 医院, 路, 村 …). Admin units (A市, A3区, K9县) are kept
   apart as the *area*; a place key never includes them, so "A5区魅力之城" and "魅力之城小区" meet.
   The key is the place without its generic suffix (魅力之城小区 -> 魅力之城).
   Street offices, towns and communities (街道, 镇, 乡, 社区) are areas, not keys.
2. Messages with the same key are grouped; a group is cut where two consecutive messages are more than
   ``window_days`` apart (default 90), so one estate's problems in 2017 and 2019 are separate events.
3. Messages with no specific place fall back to near-duplicate grouping by their title.

Heat index (documented, all parts in [0, 1] except where noted):
``heat = 40·U + 20·M + 20·L + 10·G + 10·R`` with
U = log(1 + distinct users) / log(1 + 50), M = log(1 + messages) / log(1 + 100),
L = log(1 + likes + dislikes) / log(1 + 5000) (support and opposition both show attention),
G = growth: share of the group's messages in the last third of its time span (a rising topic),
R = recency: 1 at the newest message in the data, falling linearly to 0 a year earlier.
U, M and L are capped at 1. Distinct users weigh most: one user posting 20 times is not a hot spot.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .normalize import compact
from .reply_quality import parse_time

__all__ = [
    "HotMessage",
    "Hotspot",
    "extract_area",
    "extract_places",
    "find_hotspots",
    "heat_index",
    "parse_messages",
    "write_tables",
]

_SUFFIXES = (
    "小区|花园|花苑|家园|公寓|大厦|广场|新城|新村|山庄|名苑|名城|华府|公馆|国际|一期|二期|三期|苑|府|湾|城|园|"
    "街道|社区|村|镇|乡|小学|中学|学校|大学|学院|幼儿园|医院|卫生院|车站|高铁站|地铁站|公司|集团|酒店|"
    "市场|商场|工业园|产业园|景区|公园|项目|工地|搅拌站|垃圾站|路|大道|大街|街|桥|隧道"
)
_NAME_CHARS = r"[\u4e00-\u9fffA-Za-z0-9]"
_PLACE = re.compile(rf"({_NAME_CHARS}{{2,10}}?)({_SUFFIXES})")
_AREA = re.compile(r"[A-Z]\d{0,2}[市区县]")
_LEADING_NOISE = re.compile(
    r"^(?:[A-Z]\d{0,2}[市区县]|西地省|关于|反映|投诉|举报|请求|建议|咨询|希望|要求|请问|请|的|在|对|与|和|及|我|我们|"
    r"本人|位于|地处|家住|住在|市|省|县|区)+"
)
# 街道/镇/乡/社区 cover many estates and topics: they are areas, not the object of a hot spot
_AREA_LIKE = ("街道", "镇", "乡", "社区")
_STOP_PLACES = {"我们小", "这个小", "本小", "该小", "小区", "我市", "公司", "学校", "医院", "道路", "马路"}
_GROUP_SUFFIX_STRIP = re.compile(r"(小区|花园|花苑|家园|公寓|一期|二期|三期)$")


@dataclass(frozen=True)
class HotMessage:
    message_id: str
    user: str
    title: str
    time: datetime | None
    detail: str
    likes: int = 0
    dislikes: int = 0


@dataclass
class Hotspot:
    issue_id: int
    key: str
    heat: float
    messages: list[HotMessage] = field(default_factory=list)
    place: str = ""
    description: str = ""

    @property
    def time_range(self) -> str:
        times = sorted(m.time for m in self.messages if m.time is not None)
        if not times:
            return ""
        return f"{times[0]:%Y/%m/%d} 至 {times[-1]:%Y/%m/%d}"


def extract_area(text: str) -> str:
    """The most specific admin unit mentioned (K9县 over A市)."""
    areas = _AREA.findall(text)
    specific = [a for a in areas if not a.endswith("市")]
    return specific[0] if specific else (areas[0] if areas else "")


def extract_places(text: str) -> list[str]:
    """Named places in ``text`` (normalised), most specific first, without admin-unit prefixes."""
    out: list[str] = []
    for m in _PLACE.finditer(compact(text)):
        name = _LEADING_NOISE.sub("", m.group(1)) + m.group(2)
        name = _LEADING_NOISE.sub("", name)
        if len(name) >= 3 and name not in _STOP_PLACES and not _AREA.fullmatch(name):
            out.append(name)
    return out


# a group of people is often named by their case or platform: "58车贷案", "XX平台"
_CASE = re.compile(r"([0-9A-Za-z]{2,}[\u4e00-\u9fff]{1,3}?)(?:一案|案件|案|平台)")


def place_key(msg: HotMessage) -> str:
    """Group key: a named case (58车贷案) in the title, else its first named place (else the detail's),
    generic suffix removed."""
    case = _CASE.search(compact(msg.title)) or _CASE.search(compact(msg.detail[:200]))
    if case:
        return case.group(1)[:4]
    places = extract_places(msg.title) or extract_places(msg.detail[:200])
    if not places:
        return ""
    # prefer estates/schools over roads: a road is where, an estate is who
    specific = [p for p in places if not p.endswith(_AREA_LIKE)]
    if not specific:
        return ""
    ranked = sorted(specific, key=lambda p: (p.endswith(("路", "大道", "街", "桥")), -len(p)))
    stripped = _GROUP_SUFFIX_STRIP.sub("", ranked[0])
    return stripped if len(stripped) >= 2 else ranked[0]


def heat_index(group: Sequence[HotMessage], newest: datetime | None) -> float:
    """The documented heat index (see the module docstring), 0–100."""
    users = len({m.user for m in group})
    u = min(1.0, math.log1p(users) / math.log1p(50))
    v = min(1.0, math.log1p(len(group)) / math.log1p(100))
    votes = sum(m.likes + m.dislikes for m in group)
    lk = min(1.0, math.log1p(votes) / math.log1p(5000))
    times = sorted(m.time for m in group if m.time is not None)
    growth = recency = 0.0
    if times:
        span = (times[-1] - times[0]).total_seconds()
        if span > 0:
            cut = times[0].timestamp() + span * 2 / 3
            growth = sum(t.timestamp() >= cut for t in times) / len(times)
        if newest is not None:
            recency = max(0.0, 1.0 - (newest - times[-1]).days / 365.0)
    return round(40 * u + 20 * v + 20 * lk + 10 * growth + 10 * recency, 2)


def _split_by_window(msgs: list[HotMessage], window_days: int) -> list[list[HotMessage]]:
    dated = sorted((m for m in msgs if m.time is not None), key=lambda m: m.time or datetime.min)  # noqa: DTZ901
    undated = [m for m in msgs if m.time is None]
    parts: list[list[HotMessage]] = []
    for m in dated:
        last = parts[-1][-1].time if parts else None
        if parts and last is not None and m.time is not None and (m.time - last).days <= window_days:
            parts[-1].append(m)
        else:
            parts.append([m])
    if undated:
        if not parts:
            parts.append([])
        parts[-1].extend(undated)
    return parts


def _describe(group: Sequence[HotMessage], key: str) -> tuple[str, str]:
    areas = Counter(a for m in group if (a := extract_area(m.title + m.detail[:100])))
    area = areas.most_common(1)[0][0] if areas else ""
    places = Counter(p for m in group for p in extract_places(m.title) if key and key in p)
    place = places.most_common(1)[0][0] if places else key
    titles = Counter(compact(m.title) for m in group)
    return f"{area}{place}".strip(), titles.most_common(1)[0][0]


def find_hotspots(messages: Sequence[HotMessage], top: int = 5, window_days: int = 90) -> list[Hotspot]:
    """The ``top`` hottest groups, hottest first, ``issue_id`` 1..top."""
    by_key: dict[str, list[HotMessage]] = defaultdict(list)
    for m in messages:
        key = place_key(m)
        by_key[key or "题:" + compact(m.title)[:12]].append(m)
    newest = max((m.time for m in messages if m.time is not None), default=None)
    candidates: list[tuple[float, str, list[HotMessage]]] = []
    for key, msgs in by_key.items():
        for part in _split_by_window(msgs, window_days):
            if part:
                candidates.append((heat_index(part, newest), key, part))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    result: list[Hotspot] = []
    for rank, (heat, key, part) in enumerate(candidates[:top], start=1):
        place, desc = _describe(part, key.removeprefix("题:"))
        part_sorted = sorted(part, key=lambda m: (m.time or datetime.max, m.message_id))  # noqa: DTZ901
        result.append(Hotspot(rank, key, heat, part_sorted, place, desc))
    return result


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


SUMMARY_COLUMNS = ["热度排名", "问题ID", "热度指数", "时间范围", "地点/人群", "问题描述"]
DETAIL_COLUMNS = ["问题ID", "留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数", "反对数"]


def write_tables(hotspots: Sequence[Hotspot], out_dir: Path) -> tuple[Path, Path]:
    """Write ``热点问题表.csv`` and ``热点问题留言明细表.csv`` (TipDM format) into ``out_dir``."""
    from .csvio import write_rows

    summary = [
        dict(
            zip(
                SUMMARY_COLUMNS,
                [h.issue_id, h.issue_id, h.heat, h.time_range, h.place, h.description],
                strict=True,
            )
        )
        for h in hotspots
    ]
    detail = [
        {
            "问题ID": h.issue_id,
            "留言编号": m.message_id,
            "留言用户": m.user,
            "留言主题": m.title,
            "留言时间": "" if m.time is None else f"{m.time:%Y/%m/%d %H:%M:%S}",
            "留言详情": m.detail.strip(),
            "点赞数": m.likes,
            "反对数": m.dislikes,
        }
        for h in hotspots
        for m in h.messages
    ]
    a, b = out_dir / "热点问题表.csv", out_dir / "热点问题留言明细表.csv"
    write_rows(a, SUMMARY_COLUMNS, summary)
    write_rows(b, DETAIL_COLUMNS, detail)
    return a, b
