"""Hot-spot early warning (类案预警): group messages about the same specific place or group of people
within a time window, and rank the groups by a heat index.

Why place first: a plain text-similarity graph splits one topic into many pieces (people describe the
same estate's problem in very different words) and joins unrelated ones (boilerplate). What makes a
hot spot is the *specific* object: 魅力之城小区, 伊景园滨河苑, 经济学院, 诺亚山林小区. So:

1. ``place_key`` names the place, or the group of people, each message is about (the rules are in
   ``places``: place suffixes, admin areas kept apart, generic phrases and kinds of place dropped).
   A short key that is the start or end of exactly one longer key is the same place (丽发 -> 丽发新城;
   经济学院 -> 涉外经济学院 when its titles match that one best), a name used in three or more districts
   with none holding half of them is a kind of place, and a group most of whose messages name a bigger
   group's place is folded into it.
2. Messages with the same key are grouped; a group is cut where two consecutive messages are more than
   ``window_days`` apart (default 365: a topic that comes back every internship season is one topic).
3. Each place group is cut into *issues* (``issues``: a place name alone does not make one topic).
4. Messages with no specific place fall back to grouping by their title's first 12 characters.
5. The groups are ranked by the heat index (``heat``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .heat import heat_index
from .issues import IssueModel, split_by_issue
from .messages import HEAD, HotMessage, Normalised, parse_messages
from .normalize import compact
from .places import extract_area, extract_places, is_scheme, named_places, place_key_of

__all__ = [
    "HotMessage",
    "Hotspot",
    "extract_area",
    "extract_places",
    "find_hotspots",
    "heat_index",
    "parse_messages",
    "place_key",
    "write_tables",
]


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


def place_key(msg: HotMessage) -> str:
    """Group key: a named scheme or case (58车贷) in the title, else its first named place (else the
    detail's), generic suffix removed."""
    return place_key_of(compact(msg.title), compact(msg.detail[:HEAD])[:200])


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


def _describe(group: Sequence[HotMessage], key: str, nc: Normalised) -> tuple[str, str]:
    areas = Counter(a for m in group if (a := extract_area(nc.title(m) + nc.head(m)[:100])))
    area = areas.most_common(1)[0][0] if areas else ""
    places = Counter(p for m in group for p in named_places(nc.title(m)) if key and key in p)
    place = places.most_common(1)[0][0] if places and not is_scheme(key) else key
    # the most representative title: highest summed bigram Jaccard with the others (a medoid),
    # preferring titles that name the place
    titles = sorted({nc.title(m) for m in group})[:200]
    grams = [{t[i : i + 2] for i in range(len(t) - 1)} for t in titles]

    def centrality(i: int) -> float:
        return sum(len(grams[i] & g) / (len(grams[i] | g) or 1) for j, g in enumerate(grams) if j != i)

    best = max(range(len(titles)), key=lambda i: (bool(key) and key in titles[i], centrality(i), titles[i]))
    return f"{area}{place}".strip(), titles[best]


def _merge_aliases(by_key: dict[str, list[HotMessage]], nc: Normalised) -> dict[str, list[HotMessage]]:
    """Fold a short key into the one longer key that starts or ends with it (丽发 -> 丽发新城,
    经济学院 -> 涉外经济学院); a short key that several longer keys contain is ambiguous and stays."""
    keys = [k for k in by_key if k and not k.startswith("题:")]
    by_len = sorted(keys, key=len)
    # every key under each of its proper prefixes and suffixes of 2+ characters: "who extends k?"
    extends: dict[str, list[str]] = defaultdict(list)
    for o in keys:
        for n in range(2, len(o)):
            extends[o[:n]].append(o)
            if o[-n:] != o[:n]:
                extends[o[-n:]].append(o)
    target: dict[str, str] = {}
    for k in by_len:
        if len(k) < 2:
            continue
        longer = sorted(set(extends.get(k, [])))
        if len(longer) > 1:  # 经济学院: 涉外经济学院 or 财政经济学院? the one whose titles share most words
            mine = _title_bigrams(by_key[k], nc)
            scored = sorted(
                ((len(mine & _title_bigrams(by_key[o], nc)) / (len(mine) or 1), o) for o in longer),
                reverse=True,
            )
            if scored[0][0] >= 0.3 and scored[0][0] >= 2 * scored[1][0]:
                longer = [scored[0][1]]
        if len(longer) == 1:  # the two are one place: keep the name more messages use
            a, b = k, longer[0]
            if len(by_key[a]) > len(by_key[b]):
                a, b = b, a
            if a not in target and b not in target:
                target[a] = b
    merged: dict[str, list[HotMessage]] = defaultdict(list)
    for k, msgs in by_key.items():
        if not msgs:
            continue
        final = k
        seen = {final}
        while final in target and target[final] not in seen:
            final = target[final]
            seen.add(final)
        merged[final].extend(msgs)
    return merged


def _title_bigrams(msgs: Sequence[HotMessage], nc: Normalised) -> set[str]:
    text = "".join(nc.title(m) for m in msgs[:50])
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _drop_generic_keys(by_key: dict[str, list[HotMessage]], nc: Normalised) -> dict[str, list[HotMessage]]:
    """A name used in three or more districts with no district holding half of them is a kind of place
    (幼儿园, 物业公司, 公交线路), not a place: its messages fall back to grouping by title."""
    out: dict[str, list[HotMessage]] = defaultdict(list)
    for k, msgs in by_key.items():
        areas = Counter(
            a for m in msgs if (a := extract_area(nc.title(m) + nc.head(m)[:200])) and not a.endswith("市")
        )
        named = sum(areas.values())
        generic = len(areas) >= 3 and areas.most_common(1)[0][1] * 2 < named
        if generic:
            for m in msgs:
                out["题:" + nc.title(m)[:12]].append(m)
        else:
            out[k].extend(msgs)
    return out


def _merge_mentions(
    by_key: dict[str, list[HotMessage]], nc: Normalised, targets: int = 300
) -> dict[str, list[HotMessage]]:
    """Fold a group into a bigger place group that most of its messages name somewhere in their text
    (广铁集团's 车位捆绑 messages name 伊景园滨河苑 in the detail). Targets: the ``targets`` biggest keys."""
    sized = sorted((k for k in by_key if k and not k.startswith("题:")), key=lambda k: -len(by_key[k]))
    # targets are named estates, schools, companies, schemes: not roads (a road is where, not who)
    big = [
        k
        for k in sized[:targets]
        if len(by_key[k]) >= 3 and len(k) >= 3 and not k.endswith(("路", "大道", "街", "桥", "隧道"))
    ]
    if not big:
        return by_key
    pattern = re.compile("|".join(re.escape(k) for k in sorted(big, key=len, reverse=True)))
    size = {k: len(v) for k, v in by_key.items()}
    dest: dict[str, str] = {}
    for k, msgs in by_key.items():
        votes: Counter[str] = Counter()
        for m in msgs:
            named = sorted(set(pattern.findall(nc.title(m) + nc.head(m))))
            votes.update(o for o in named if o != k and size[o] > size[k])
        if votes:
            best, count = min(votes.items(), key=lambda kv: (-kv[1], -size[kv[0]], kv[0]))
            if count * 2 > len(msgs):
                dest[k] = best
    merged: dict[str, list[HotMessage]] = defaultdict(list)
    for k, msgs in by_key.items():
        final = k
        while final in dest:  # sizes strictly grow along the chain, so it ends
            final = dest[final]
        merged[final].extend(msgs)
    return merged


def find_hotspots(
    messages: Sequence[HotMessage], top: int = 5, window_days: int = 365, issue_threshold: float = 0.15
) -> list[Hotspot]:
    """The ``top`` hottest groups, hottest first, ``issue_id`` 1..top.

    Place/people key -> time window -> issue clusters (see ``split_by_issue``); only the groups that can
    reach the top (by an upper bound of their heat) are split, which keeps 100k messages fast.
    """
    nc = Normalised(messages)
    by_key: dict[str, list[HotMessage]] = defaultdict(list)
    for m in messages:
        title = nc.title(m)
        key = place_key_of(title, nc.head(m)[:200])
        by_key[key or "题:" + title[:12]].append(m)
    by_key = _merge_mentions(_merge_aliases(_drop_generic_keys(by_key, nc), nc), nc)
    newest = max((m.time for m in messages if m.time is not None), default=None)
    windows: list[tuple[float, str, list[HotMessage]]] = []
    for key, msgs in by_key.items():
        for part in _split_by_window(msgs, window_days):
            if part:
                windows.append((heat_index(part, newest), key, part))
    # heat of a sub-group never exceeds ~ its window's heat (U, M, L only shrink; growth and recency are
    # at most 20 points), so windows far below the current top cannot enter it after splitting
    windows.sort(key=lambda c: (-c[0], c[1]))
    model: IssueModel | None = None
    candidates: list[tuple[float, str, list[HotMessage]]] = []
    for heat, key, part in windows:
        if len(candidates) >= top:
            floor = sorted(c[0] for c in candidates)[-top]
            if heat + 20 < floor:
                break
        if key.startswith("题:") or len(part) < 2:
            candidates.append((heat, key, part))
            continue
        if model is None:
            model = IssueModel(messages, nc)
        for sub in split_by_issue(part, key, model, issue_threshold, nc):
            candidates.append((heat_index(sub, newest), key, sub))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    result: list[Hotspot] = []
    for rank, (heat, key, part) in enumerate(candidates[:top], start=1):
        place, desc = _describe(part, key.removeprefix("题:"), nc)
        part_sorted = sorted(part, key=lambda m: (m.time or datetime.max, m.message_id))  # noqa: DTZ901
        result.append(Hotspot(rank, key, heat, part_sorted, place, desc))
    return result


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
