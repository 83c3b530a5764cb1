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
   Generic phrases are not places: a name never runs across words such as 附近/旁边/修建/搅拌站/的
   ("丽发新城小区附近搅拌站" gives 丽发新城), and a name used in three or more districts with none holding
   half of them is a kind of place (幼儿园, 物业公司), not a place. Victims of a named lending scheme
   (58车贷) are keyed by the scheme. A short key that is the start or end of exactly one longer key is
   the same place (丽发 -> 丽发新城; 经济学院 -> 涉外经济学院 when its titles match that one best), and a
   group most of whose messages name a bigger group's place is folded into it.
2. Messages with the same key are grouped; a group is cut where two consecutive messages are more than
   ``window_days`` apart (default 365: a topic that comes back every internship season is one topic).
3. Each place group is cut into *issues*, because a place name alone does not make one topic: the
   messages naming one district asked about its planning, a subway line, a bus route and a school, and
   those naming one road were about its potholes and about when an underpass opens. Two views of each
   message are compared, both TF-IDF fitted on the messages themselves, with the place's names (the key
   and every place in the title), admin units, unit numbers (3栋, 二期), words that say *where* (路口,
   交汇处, 周边, 门口, 楼下; kinds of building: 洋房, 高层, 安置房, 商品房) and petition boilerplate
   (尊敬的, 您好, 领导, 希望, 严重, 影响, 处理, 解决, 的, 了 …) removed:
   - the *issue text*: character 1–2-grams of the title twice + the detail's first 120 characters;
   - the *title*: character 1–2-grams of the title alone.
   Runs of characters that every title of the place group repeats are left out of the titles first:
   they are the rest of a name the place pattern cut short (it takes 星河城 from 星河城际广场 and leaves
   际广场 in every title, which would otherwise join the lift complaints to the advertising complaints).
   Then centroid-linkage clustering: the two closest sub-groups are merged while the cosine of the
   *sums* of their issue-text vectors is ≥ ``JOIN_ALONE`` (0.28), or ≥ ``issue_threshold`` (0.15) and
   the cosine of their title sums is ≥ ``TITLE_AGREE`` (0.15). A sub-group is compared by what its
   messages share, so a big topic keeps the members whose titles do not name the issue but whose
   details do (an angry title over a detail about the bundled parking spaces); a weak likeness in the
   details (two questions that both mention the same new estates) is not enough unless the titles also
   say the same thing. A message that joins no other stays alone: it is no longer part of its place's
   hot spot. Identical issue texts are one item; a place group with more than 600 distinct texts
   clusters the 600 most repeated, and the others join the closest cluster they may join or stay alone.
4. Messages with no specific place fall back to grouping by their title's first 12 characters.

Heat index (documented, all parts in [0, 1] except where noted):
``heat = 40·U + 20·M + 20·L + 10·G + 10·R`` with
U = log(1 + distinct users) / log(1 + 50), M = log(1 + messages) / log(1 + 100) where a user's messages
count at most 3 times (one user posting 68 suggestions is not a crowd),
L = log(1 + likes + dislikes) / log(1 + 5000) (support and opposition both show attention),
G = growth: share of the group's messages in the last third of its time span (a rising topic),
R = recency: 1 at the newest message in the data, falling linearly to 0 a year earlier;
G and R are scaled by min(1, distinct users / 5): two people's messages are not a rising topic.
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

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from .features import CharNgramTfidf
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
    "市场|商场|工业园|产业园|景区|公园|路|大道|大街|街|桥|隧道"
)
_NAME_CHARS = r"[\u4e00-\u9fffA-Za-z0-9]"
_PLACE = re.compile(rf"({_NAME_CHARS}{{2,10}}?)({_SUFFIXES})")
_AREA = re.compile(r"[A-Z]\d{0,2}[市区县]")
_LEADING_NOISE = re.compile(
    r"^(?:[A-Z]\d{0,2}[市区县]|西地省|关于|反映|投诉|举报|请求|建议|咨询|希望|要求|请问|解决|南侧|北侧|东侧|西侧|"
    r"请|的|在|对|与|和|及|我|我们|"
    r"本人|位于|地处|家住|住在|市|省|县|区)+"
)
# 街道/镇/乡/社区 cover many estates and topics: they are areas, not the object of a hot spot
_AREA_LIKE = ("街道", "镇", "乡", "社区")
_STOP_PLACES = {
    "我们小",
    "这个小",
    "本小",
    "该小",
    "小区",
    "我市",
    "公司",
    "学校",
    "医院",
    "道路",
    "马路",
    # kinds of place, not places
    "幼儿园",
    "物业公司",
    "公交线路",
    "开发公司",
    "房地产公司",
    "培训学校",
    "民办学校",
    "小学",
    "中学",
    "大学",
}
# words that cannot be inside a place name: a name never runs across them ("丽发新城小区附近搅拌站" is the
# place 丽发新城 and a facility near it, not a place called "小区附近搅拌站")
_BREAK = re.compile(
    r"附近|旁边|周边|周围|对面|门口|楼下|里面|内部|隔壁|居然|竟然|仍然|存在|修建|新建|违建|乱建|建设|建了|"
    r"市委|市政府|政府|部门|搅拌站|搅拌厂|垃圾站|工地|搬迁|一个|这个|那个|我们|我家|你们|他们|居民区|老百姓|业主|小区内|关于|反映|投诉|举报|希望|要求|请求|"
    r"严重|影响|污染|噪音|扰民|问题|何时|什么|怎么|为什么|能否|是否|可以|[的了在和与及遭被把将给是有旁个对向从为]"
)
# a name made only of these characters is a description, not a name ("小区", "社区", "该小区")
_GENERIC_NAME = re.compile(r"^[小区社该本此某各新老大整个们我这那一二三四五六七八九十几所家住宿舍楼栋号]+$")
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
    """Named places in ``text``, most specific first, without admin-unit prefixes (normalises first)."""
    return _places(compact(text))


def _places(text: str) -> list[str]:
    """Named places in ``text`` (normalised), most specific first, without admin-unit prefixes."""
    out: list[str] = []
    for chunk in _BREAK.split(text):
        for m in _PLACE.finditer(chunk):
            name = _LEADING_NOISE.sub("", _LEADING_NOISE.sub("", m.group(1)) + m.group(2))
            head = name[: len(name) - len(m.group(2))]
            if (
                len(name) >= 3
                and name not in _STOP_PLACES
                and not _AREA.fullmatch(name)
                and len(head) >= 2
                and not _GENERIC_NAME.match(head)
            ):
                out.append(name)
    return out


# a group of people is often named by their case or platform: "58车贷案", "XX平台"
_CASE = re.compile(r"([0-9A-Za-z]{2,}[\u4e00-\u9fff]{1,3}?)(?:一案|案件|案|平台)")
# victims of a named lending/investment scheme are a group of people: "58车贷", "XX网贷", "XX理财"
_SCHEME = re.compile(r"([0-9A-Za-z]{1,8}|[\u4e00-\u9fff]{2,4})(车贷|网贷|理财|集资)")


def place_key(msg: HotMessage) -> str:
    """Group key: a named scheme or case (58车贷) in the title, else its first named place (else the
    detail's), generic suffix removed."""
    return _key_of(compact(msg.title), compact(msg.detail[:_HEAD])[:200])


def _key_of(title: str, head: str) -> str:
    """``place_key`` on normalised title and detail opening."""
    scheme = _SCHEME.search(title)
    if scheme and scheme.group(1)[0].isascii():
        return scheme.group(1) + scheme.group(2)
    case = _CASE.search(title) or _CASE.search(head)
    if case:
        return case.group(1)[:4]
    places = _places(title) or _places(head)
    # prefer estates/schools over roads (a road is where, an estate is who), then the first named
    specific = [p for p in places if not p.endswith(_AREA_LIKE)]
    if not specific:
        return ""
    ranked = sorted(specific, key=lambda p: p.endswith(("路", "大道", "街", "桥")))
    stripped = _GROUP_SUFFIX_STRIP.sub("", ranked[0])
    return stripped if len(stripped) >= 2 else ranked[0]


_HEAD = 800  # raw characters of the detail looked at (the scrape pads the start with whitespace)


class _Norm:
    """Each message's normalised title and detail opening, computed once per ``find_hotspots`` call."""

    def __init__(self, messages: Sequence[HotMessage]) -> None:
        self._title: dict[int, str] = {}
        self._head: dict[int, str] = {}
        for m in messages:
            self._title[id(m)] = compact(m.title)
            self._head[id(m)] = compact(m.detail[:_HEAD])[:600]

    def title(self, m: HotMessage) -> str:
        return self._title[id(m)]

    def head(self, m: HotMessage) -> str:
        return self._head[id(m)]


def heat_index(group: Sequence[HotMessage], newest: datetime | None) -> float:
    """The documented heat index (see the module docstring), 0–100."""
    users = len({m.user for m in group})
    u = min(1.0, math.log1p(users) / math.log1p(50))
    per_user = Counter(m.user for m in group)
    volume = sum(min(3, c) for c in per_user.values())  # one user's 68 messages count as 3
    v = min(1.0, math.log1p(volume) / math.log1p(100))
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
    crowd = min(1.0, users / 5)  # growth and recency of one or two people's messages say little
    return round(40 * u + 20 * v + 20 * lk + crowd * (10 * growth + 10 * recency), 2)


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


def _describe(group: Sequence[HotMessage], key: str, nc: _Norm) -> tuple[str, str]:
    areas = Counter(a for m in group if (a := extract_area(nc.title(m) + nc.head(m)[:100])))
    area = areas.most_common(1)[0][0] if areas else ""
    places = Counter(p for m in group for p in _places(nc.title(m)) if key and key in p)
    place = places.most_common(1)[0][0] if places and not _SCHEME.fullmatch(key) else key
    # the most representative title: highest summed bigram Jaccard with the others (a medoid),
    # preferring titles that name the place
    titles = sorted({nc.title(m) for m in group})[:200]
    grams = [{t[i : i + 2] for i in range(len(t) - 1)} for t in titles]

    def centrality(i: int) -> float:
        return sum(len(grams[i] & g) / (len(grams[i] | g) or 1) for j, g in enumerate(grams) if j != i)

    best = max(range(len(titles)), key=lambda i: (bool(key) and key in titles[i], centrality(i), titles[i]))
    return f"{area}{place}".strip(), titles[best]


def _merge_aliases(by_key: dict[str, list[HotMessage]], nc: _Norm) -> dict[str, list[HotMessage]]:
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


def _title_bigrams(msgs: Sequence[HotMessage], nc: _Norm) -> set[str]:
    text = "".join(nc.title(m) for m in msgs[:50])
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _drop_generic_keys(by_key: dict[str, list[HotMessage]], nc: _Norm) -> dict[str, list[HotMessage]]:
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
    by_key: dict[str, list[HotMessage]], nc: _Norm, targets: int = 300
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


# --- issues within one place ---------------------------------------------------------------------------

_ISSUE_NOISE = re.compile(
    r"[A-Z]\d{0,2}[市区县]|西地省|小区|社区|街道|附近|旁边|投诉|反映|关于|举报|请问|请|问题|[\W_]"
)
_UNIT = re.compile(r"[A-Za-z0-9一二三四五六七八九十]+[栋号楼期区座单元]+")
# where, not what: the sides of a place and the kinds of building in it (two owners of the same 洋房, one
# asking about its price and one about its leaks, must not meet on "洋房")
_WHERE = "交汇处|交汇|交叉口|十字路口|路口|路段|沿线|周边|对面|门口|楼下|洋房|高层|别墅|安置房|安置小区|商品房|毛坯房"
# how a petition is written, not what it is about
_BOILERPLATE = (
    "尊敬的|尊敬|您好|你好|领导|书记|市长|局长|我们|本人|我是|严重|影响|存在|希望|有关部门|相关部门|政府|处理|"
    "解决|谢谢|请求|恳请|[的了是在有和与及我你他她它们也都就还]"
)
_NOT_ISSUE = re.compile(f"{_WHERE}|{_BOILERPLATE}")

# Two sub-groups of one place are one issue when the centroid cosine of their issue texts is at least
# JOIN_ALONE, or at least ``issue_threshold`` while their titles' centroid cosine is at least TITLE_AGREE.
JOIN_ALONE = 0.28
TITLE_AGREE = 0.15
_MAX_ITEMS = 600  # distinct issue texts clustered per place window; the rest join a cluster or stay alone


def _strip_places(text: str, title: str, key: str) -> str:
    for name in sorted({key, *_places(title)}, key=lambda n: (-len(n), n)):  # longest first
        if name:
            text = text.replace(name, "")
    return _NOT_ISSUE.sub("", _ISSUE_NOISE.sub("", _UNIT.sub("", text)))


def _issue_text(title: str, head: str, key: str, runs: Sequence[str] = ()) -> str:
    """What a message is about, without where: title twice (it names the issue) + the detail's start."""
    words = _title_text(title, key, runs)
    return words + words + _strip_places(head[:120], title, key)


def _title_text(title: str, key: str, runs: Sequence[str] = ()) -> str:
    """The issue words of the title alone, without ``runs`` (see ``_shared_runs``)."""
    words = _strip_places(title, title, key)
    for run in runs:
        words = words.replace(run, "")
    return words


class _IssueModel:
    """TF-IDF of the issue text (character 1–2-grams) and of the title's issue words (1–2-grams), fitted
    once per ``find_hotspots`` call on up to ~20,000 of its messages."""

    def __init__(self, messages: Sequence[HotMessage], nc: _Norm) -> None:
        step = max(1, len(messages) // 20000)
        sample = messages[::step]
        self.text = CharNgramTfidf((1, 2), min_df=2).fit(
            [_issue_text(nc.title(m), nc.head(m), "") for m in sample]
        )
        self.title = CharNgramTfidf((1, 2), min_df=2).fit([_title_text(nc.title(m), "") for m in sample])


def _agglomerate(
    text_gram: npt.NDArray[np.float64], title_gram: npt.NDArray[np.float64], threshold: float
) -> list[list[int]]:
    """Centroid-linkage clustering on cosine. ``*_gram`` are Gram matrices of the items' (weighted) vectors;
    a cluster's vector is the sum of its items', so a cluster of 50 is compared by what its 50 messages
    share, not by its least typical one. The closest allowed pair is merged until none is allowed."""
    s, t = text_gram.copy(), title_gram.copy()
    n = len(s)
    alive = np.ones(n, dtype=bool)
    members = [[i] for i in range(n)]

    def allowed(c: npt.NDArray[np.float64], a: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        return (c >= JOIN_ALONE) | ((c >= threshold) & (a >= TITLE_AGREE))

    def row(i: int) -> npt.NDArray[np.float64]:
        ds = np.sqrt(np.maximum(np.diag(s), 1e-12))
        dt = np.sqrt(np.maximum(np.diag(t), 1e-12))
        c, a = s[i] / (ds[i] * ds), t[i] / (dt[i] * dt)
        ok = alive & allowed(c, a)
        ok[i] = False
        return np.where(ok, c, -np.inf)

    ds = np.sqrt(np.maximum(np.diag(s), 1e-12))
    dt = np.sqrt(np.maximum(np.diag(t), 1e-12))
    c, a = s / np.outer(ds, ds), t / np.outer(dt, dt)
    score = np.where(allowed(c, a), c, -np.inf)
    np.fill_diagonal(score, -np.inf)
    best = score.argmax(axis=1)
    best_val = score[np.arange(n), best]
    while True:
        i = int(best_val.argmax())
        if best_val[i] == -np.inf:
            break
        j = int(best[i])
        s[i, :] += s[j, :]
        s[:, i] += s[:, j]
        t[i, :] += t[j, :]
        t[:, i] += t[:, j]
        alive[j] = False
        members[i] += members[j]
        members[j] = []
        best_val[j] = -np.inf
        new = row(i)
        best[i] = int(new.argmax())
        best_val[i] = new[best[i]]
        for r in np.flatnonzero(alive & ((best == i) | (best == j))):  # their best pair changed or is gone
            if r != i:
                other = row(int(r))
                best[r] = int(other.argmax())
                best_val[r] = other[best[r]]
        better = alive & (new > best_val)
        better[i] = False
        best[better] = i
        best_val[better] = new[better]
    return [members[i] for i in range(n) if alive[i]]


def _shared_runs(titles: list[str], most: int = 3) -> list[str]:
    """Runs of 2+ characters that every title contains, longest first: the rest of the place's name that
    the place pattern did not take (星河城 from 星河城际广场 leaves 际广场), or the label of a one-issue window.
    They cannot tell the titles apart, so they are left out of the titles (not of the details) before the
    messages are compared."""
    distinct = sorted(set(titles), key=lambda t: (len(t), t))
    if len(titles) < 2 or not distinct:
        return []
    runs: list[str] = []
    for _ in range(most):
        shortest, found = distinct[0], ""
        for length in range(len(shortest), 1, -1):
            for i in range(len(shortest) - length + 1):
                sub = shortest[i : i + length]
                if "|" not in sub and all(sub in t for t in distinct[1:]):
                    found = sub
                    break
            if found:
                break
        if not found:
            break
        runs.append(found)
        distinct = sorted({t.replace(found, "|") for t in distinct}, key=lambda t: (len(t), t))
    return runs


def _split_by_issue(
    msgs: list[HotMessage], key: str, model: _IssueModel, threshold: float, nc: _Norm
) -> list[list[HotMessage]]:
    """Cut one place's messages into issues (see ``_agglomerate``); a message that joins no other stays
    alone, outside every group of its place."""
    if len(msgs) < 2:
        return [msgs]
    runs = _shared_runs([_title_text(nc.title(m), key) for m in msgs])
    # identical issue texts are one item: they cluster together anyway, and 100k copies stay fast
    by_text: dict[tuple[str, str], list[HotMessage]] = {}
    for m in msgs:
        title = _title_text(nc.title(m), key, runs)
        by_text.setdefault((_issue_text(nc.title(m), nc.head(m), key, runs), title), []).append(m)
    items = sorted(by_text.items(), key=lambda kv: -len(kv[1]))  # stable: most repeated first
    texts = [k[0] for k, _ in items]
    titles = [k[1] for k, _ in items]
    weight = sp.diags(np.array([len(v) for _, v in items], dtype=np.float64))
    x = weight @ model.text.transform(texts)
    tx = weight @ model.title.transform(titles)
    core = min(len(items), _MAX_ITEMS)
    clusters = _agglomerate(
        np.asarray((x[:core] @ x[:core].T).todense()),
        np.asarray((tx[:core] @ tx[:core].T).todense()),
        threshold,
    )
    if core < len(items):  # the rest join the closest cluster they are allowed to, else stay alone
        assign = sp.csr_matrix(
            (
                np.ones(core),
                (np.concatenate([[k] * len(c) for k, c in enumerate(clusters)]), np.concatenate(clusters)),
            ),
            shape=(len(clusters), core),
        )
        sums, tsums = assign @ x[:core], assign @ tx[:core]
        norm = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel()) + 1e-12
        tnorm = np.sqrt(np.asarray(tsums.multiply(tsums).sum(axis=1)).ravel()) + 1e-12
        for r in range(core, len(items)):
            xr, tr = x[r], tx[r]
            c = np.asarray((xr @ sums.T).todense()).ravel() / (
                norm * (np.sqrt(xr.multiply(xr).sum()) + 1e-12)
            )
            a = np.asarray((tr @ tsums.T).todense()).ravel() / (
                tnorm * (np.sqrt(tr.multiply(tr).sum()) + 1e-12)
            )
            c = np.where((c >= JOIN_ALONE) | ((c >= threshold) & (a >= TITLE_AGREE)), c, -np.inf)
            k = int(c.argmax())
            if c[k] > -np.inf:
                clusters[k].append(r)
            else:
                clusters.append([r])
    return [[m for i in sorted(c) for m in items[i][1]] for c in clusters]


def find_hotspots(
    messages: Sequence[HotMessage], top: int = 5, window_days: int = 365, issue_threshold: float = 0.15
) -> list[Hotspot]:
    """The ``top`` hottest groups, hottest first, ``issue_id`` 1..top.

    Place/people key -> time window -> issue clusters (see ``_split_by_issue``); only the groups that can
    reach the top (by an upper bound of their heat) are split, which keeps 100k messages fast.
    """
    nc = _Norm(messages)
    by_key: dict[str, list[HotMessage]] = defaultdict(list)
    for m in messages:
        title = nc.title(m)
        key = _key_of(title, nc.head(m)[:200])
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
    model: _IssueModel | None = None
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
            model = _IssueModel(messages, nc)
        for sub in _split_by_issue(part, key, model, issue_threshold, nc):
            candidates.append((heat_index(sub, newest), key, sub))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    result: list[Hotspot] = []
    for rank, (heat, key, part) in enumerate(candidates[:top], start=1):
        place, desc = _describe(part, key.removeprefix("题:"), nc)
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
