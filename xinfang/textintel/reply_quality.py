"""Reply quality: how well does an official reply (答复意见) answer its message (留言)?

All four scores lie in [0, 1]; they are computed on normalised text (``compact``), with character
bigrams as terms (no segmentation model, so it is fast and deterministic). A *term* is a bigram of two
Chinese characters, letters or digits that is not in ``_GENERIC`` (greetings and bureaucratic filler
that every reply contains, e.g. 您好, 感谢, 网友, 问题, 答复).

* **相关性 relevance** — "does this reply answer *this* message?" — is a logistic score
  ``relevance = σ(z)``, ``σ(z) = 1 / (1 + e^(−z))``, over evidence for and against:

  ``z = 10·cos(message, reply) + 8·cos(title, reply) + 5·user_named − 5·other_user_named
  + 1·area_shared − 1·area_foreign − 0.5·place_foreign − 2``

  - ``cos(a, b)``: cosine of TF-IDF vectors of terms, tf sublinear (``1 + ln tf``), idf
    ``1 + ln((1 + n) / (1 + df))`` from a corpus of replies (``build_idf``; bigrams the corpus never saw
    get the largest idf). IDF from *replies* makes the phrases every reply uses (现将, 调查, 回复如下)
    weigh little and the specific ones (estate, road, school names, figures) weigh much.
    ``message`` is title + detail; the title is also compared on its own because replies usually restate
    it ("您反映的'A3区潇楚南路洋湖段怎么还没修好'问题…").
  - ``user_named``: the reply addresses the message's petitioner by user code (网友"A00023583"),
    ``other_user_named``: it addresses a *different* user code only — it was written to someone else.
    Both 0 when the message's user is not given.
  - ``area_shared``: reply and message name a common admin unit (A3区, K9县, A市…);
    ``area_foreign``: both name admin units and none is common (the reply is about another district);
    ``place_foreign``: the reply names specific places (estates, roads, schools: ``hotspots`` place
    extraction) and none of them occurs in the message.
  - the constant −2 puts a reply with no evidence either way (a bare "留言已收悉") at σ(−2) ≈ 0.12:
    not an answer, but less wrong than a substantive answer to another matter (σ ≈ 0.00–0.05).

  The weights are round numbers chosen on one half of ``messages_replies.csv`` (the bench reports the
  other half too) and set so that no single weak clue decides: a name match alone is σ(3) ≈ 0.95, an
  area match alone σ(−1) ≈ 0.27, and a typical true reply (cosines ≈ 0.15) without names σ(0.7) ≈ 0.67.
* A reply about another matter explains nothing about this one, so completeness and explanation are
  multiplied by the *relevance gate* ``min(1, relevance / _GATE)`` with ``_GATE`` = 1: they count in
  proportion to the confidence that the reply is about this message (a cap at 0.5 let a well-structured
  answer to a *similar* message outscore the true reply more often: 96.1 % vs 96.7 % text-only wins).
* **完整性 completeness** = gate · share of the message's demands that the reply addresses. Demands are
  the sentences with a request cue (请, 希望, 要求, 建议, 能否, 是否, 何时, 为什么, ？ …); when there is
  none, the whole message is one demand. A demand counts ``min(1, coverage / 0.3)`` where coverage is
  the share of its terms that occur in the reply.
* **可解释性 explanation** = gate · mean of three indicators: legal basis (《…》, 根据/依据/按照 …
  规定/条例/办法/法), facts (经调查/核实/现场/了解, or a date or figure), next steps (将/下一步/责令/督促/
  已安排/联系电话/如有疑问 …). Each indicator is 1 when present, else 0.
* **及时性 timeliness** = 1 when the reply came by the last day of its period, falling linearly to 0
  when it is late by the period's length again; a reply dated before its message scores 0. Missing
  dates: not scored (None). The period is passed in, never looked up here: for a case, ``due_on`` is
  the last day of its handle clock (rule profile, extensions and hearing pauses included: the caller
  derives it) and the period runs from ``asked_at`` (the day that clock started) to it; without a
  case (the CSV command) it is ``period_days`` from ``asked_at``, by default ``DEFAULT_PERIOD_DAYS``
  = 60, the national 信访工作条例 limit for handling a matter (第三十四条).
* **总分 total** = 100 · weighted mean with weights relevance 0.35, completeness 0.25, explanation 0.25,
  timeliness 0.15 (renormalised over the scored parts).
* **问题提示 warnings** (Chinese): a substantive reply (≥ 60 characters) with relevance < 0.1
  "疑似答非所问"; a reply addressed to another user code "答复对象与留言人不符"; a short reply without
  substance (< 60 characters, relevance < 0.5) "答复内容空泛"; completeness < 0.5 "部分诉求未回应";
  no legal basis "未说明政策法规依据", no facts "未说明调查核实情况", no next step "未说明后续办理措施";
  late "答复超期（N天，时限M天）"; dated before the message "答复时间早于留言时间"; empty "答复为空".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from .normalize import compact
from .places import named_places
from .timestamps import days_between, parse_time

__all__ = [
    "ReplyScore",
    "build_idf",
    "days_between",
    "parse_time",
    "relevance_evidence",
    "relevance_score",
    "score_reply",
]

WEIGHTS = {"relevance": 0.35, "completeness": 0.25, "explanation": 0.25, "timeliness": 0.15}
DEFAULT_PERIOD_DAYS = 60
_MAX_IDF = 8.0  # weight of a bigram the idf table has never seen
_UNSEEN = "\x00unseen"  # idf-table key of the weight for unseen bigrams
# relevance evidence weights (see the module docstring)
W_COS, W_TITLE, W_USER, W_AREA, W_PLACE, BIAS = 10.0, 8.0, 5.0, 1.0, 0.5, -2.0
_SHORT_REPLY = 60
_GATE = 1.0  # relevance at which completeness and explanation count in full

_GENERIC = {
    "您好",
    "你好",
    "感谢",
    "谢谢",
    "网友",
    "留言",
    "反映",
    "问题",
    "情况",
    "答复",
    "如下",
    "现将",
    "关于",
    "相关",
    "有关",
    "部门",
    "我们",
    "进行",
    "工作",
    "支持",
    "信任",
    "关注",
    "调查",
    "核实",
    "处理",
    "已经",
    "同志",
    "一下",
    "请问",
    "希望",
    "要求",
    "领导",
    "政府",
    "平台",
    "栏目",
    "问政",
    "西地",
    "地省",
    "市民",
    "群众",
    "单位",
    "目前",
    "现在",
    "是否",
    "为什么",
    "什么",
    "怎么",
    "如何",
    "可以",
    "能否",
    "没有",
    "不能",
    "这个",
    "一个",
    "他们",
    "的问",
    "题的",
    "了解",
    "了解到",
    "此致",
    "敬礼",
    "特此",
    "回复",
    "此复",
    "书记",
    "市长",
    "县长",
    "区长",
}
_TERM_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")
_DEMAND = re.compile(r"请|希望|要求|建议|能否|是否|何时|什么时候|为什么|为何|怎么|如何|恳请|呼吁|吗|？|\?")
_LEGAL = re.compile(
    r"《[^》]{2,40}》|(根据|依据|按照|依照)[^。]{0,40}(规定|条例|办法|法|政策|标准|意见|通知)"
)
_FACTS = re.compile(
    r"经(调查|核实|查|了解|现场)|现场|实地|核查|走访|了解到|查明|\d{4}年|\d+月\d+日|\d+(万|元|户|人|米|平方)"
)
_NEXT = re.compile(
    r"下一步|将(会|继续|加强|督促|尽快|于|按|依法|组织|协调)|责令|督促|已安排|已责成|整改|联系电话|"
    r"咨询电话|如有疑问|可(向|到|拨打|咨询)|限期"
)
_USER_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,2}\d{4,}(?![0-9])")
_ADMIN = re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{0,2}[市区县]")


@dataclass(frozen=True)
class ReplyScore:
    relevance: float
    completeness: float
    explanation: float
    timeliness: float | None
    total: float
    warnings: list[str]
    days: int | None = None

    @property
    def warning_text(self) -> str:
        return "；".join(self.warnings)


def _bigrams(text: str) -> list[str]:
    out = []
    for i in range(len(text) - 1):
        bg = text[i : i + 2]
        if _TERM_CHAR.match(bg[0]) and _TERM_CHAR.match(bg[1]) and bg not in _GENERIC:
            out.append(bg)
    return out


def _coverage(terms: list[str], reply_terms: set[str]) -> float:
    unique = set(terms)
    return len(unique & reply_terms) / len(unique) if unique else 0.0


def build_idf(replies: Iterable[str]) -> dict[str, float]:
    """Term idf ``1 + ln((1 + n) / (1 + df))`` over a corpus of *replies* (e.g. the replies of the file
    being scored, or the bureau's past replies): the phrases every reply uses weigh little, the specific
    ones (place and estate names, figures) weigh much. Unseen terms get ``1 + ln(1 + n)``."""
    df: Counter[str] = Counter()
    n = 0
    for text in replies:
        df.update(set(_bigrams(compact(text))))
        n += 1
    idf = {k: 1.0 + math.log((1 + n) / (1 + v)) for k, v in df.items()}
    idf[_UNSEEN] = 1.0 + math.log(1 + n)
    return idf


def _tfidf(terms: list[str], idf: Mapping[str, float] | None) -> dict[str, float]:
    """Sublinear-tf × idf weights of ``terms``, L2-normalised."""
    unseen = idf.get(_UNSEEN, _MAX_IDF) if idf is not None else 1.0
    vec = {
        k: (1.0 + math.log(v)) * (idf.get(k, unseen) if idf is not None else 1.0)
        for k, v in Counter(terms).items()
    }
    norm = math.sqrt(sum(w * w for w in vec.values()))
    return {k: w / norm for k, w in vec.items()} if norm else {}


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[k] for k, w in a.items() if k in b)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= -50 else 0.0


def _timeliness(days: int | None, period_days: int) -> float | None:
    if days is None:
        return None
    if days < 0:
        return 0.0
    if days <= period_days:
        return 1.0
    return max(0.0, 1.0 - (days - period_days) / period_days)


def relevance_evidence(
    title: str, detail: str, reply: str, user: str | None = None, idf: Mapping[str, float] | None = None
) -> dict[str, float]:
    """The evidence terms of the relevance score (inputs already ``compact``-ed); see the docstring."""
    reply_vec = _tfidf(_bigrams(reply), idf)
    cos = _cosine(_tfidf(_bigrams(title + detail), idf), reply_vec)
    cos_title = _cosine(_tfidf(_bigrams(title), idf), reply_vec) if title else 0.0
    codes = set(_USER_CODE.findall(reply))
    user = (user or "").strip()
    user_named = 1.0 if user and user in codes else 0.0
    other_user = 1.0 if user and codes and user not in codes else 0.0
    msg_areas, reply_areas = set(_ADMIN.findall(title + detail)), set(_ADMIN.findall(reply))
    shared = 1.0 if msg_areas & reply_areas else 0.0
    foreign = 1.0 if msg_areas and reply_areas and not msg_areas & reply_areas else 0.0
    reply_places = set(named_places(reply))
    message = title + detail
    place_foreign = 1.0 if reply_places and not any(p in message for p in reply_places) else 0.0
    return {
        "cos": cos,
        "cos_title": cos_title,
        "user_named": user_named,
        "other_user_named": other_user,
        "area_shared": shared,
        "area_foreign": foreign,
        "place_foreign": place_foreign,
    }


def relevance_score(evidence: Mapping[str, float]) -> float:
    z = (
        W_COS * evidence["cos"]
        + W_TITLE * evidence["cos_title"]
        + W_USER * (evidence["user_named"] - evidence["other_user_named"])
        + W_AREA * (evidence["area_shared"] - evidence["area_foreign"])
        - W_PLACE * evidence.get("place_foreign", 0.0)
        + BIAS
    )
    return _sigmoid(z)


def score_reply(
    title: str,
    detail: str,
    reply: str,
    asked_at: str | datetime | None = None,
    answered_at: str | datetime | None = None,
    period_days: int = DEFAULT_PERIOD_DAYS,
    idf: Mapping[str, float] | None = None,
    user: str | None = None,
    due_on: date | None = None,
) -> ReplyScore:
    """Score ``reply`` against the message (``title``, ``detail``, petitioner ``user`` code when
    known); ``idf`` from ``build_idf`` over a corpus of replies. ``due_on``, when given, is the last
    day of the period and replaces ``period_days``. See the module docstring."""
    asked = parse_time(asked_at) if isinstance(asked_at, str | None) else asked_at
    answered = parse_time(answered_at) if isinstance(answered_at, str | None) else answered_at
    t, d, r = compact(title), compact(detail), compact(reply)
    reply_set = set(_bigrams(r))
    warnings: list[str] = []
    if not r:
        warnings.append("答复为空")

    evidence = relevance_evidence(t, d, r, user, idf) if r else {}
    relevance = relevance_score(evidence) if r else 0.0

    demands = [s for s in _SENTENCE_END.split(d) if s and _DEMAND.search(s)] or [t + d]
    gate = min(1.0, relevance / _GATE)
    addressed = sum(min(1.0, _coverage(_bigrams(s), reply_set) / 0.3) for s in demands)
    completeness = gate * addressed / len(demands)

    legal, facts, nxt = (bool(p.search(r)) for p in (_LEGAL, _FACTS, _NEXT))
    explanation = gate * (legal + facts + nxt) / 3.0

    days = days_between(asked, answered)
    if due_on is not None and asked is not None:
        period_days = max(1, (due_on - asked.date()).days)
    timeliness = _timeliness(days, period_days)

    parts = {"relevance": relevance, "completeness": completeness, "explanation": explanation}
    if timeliness is not None:
        parts["timeliness"] = timeliness
    weight = sum(WEIGHTS[k] for k in parts)
    total = 100.0 * sum(WEIGHTS[k] * v for k, v in parts.items()) / weight

    if r and evidence.get("other_user_named"):
        warnings.append("答复对象与留言人不符")
    if r and len(r) >= _SHORT_REPLY and relevance < 0.1:
        warnings.append("疑似答非所问")
    if r and len(r) < _SHORT_REPLY and relevance < 0.5:
        warnings.append("答复内容空泛")
    if r and completeness < 0.5:
        warnings.append("部分诉求未回应")
    if r and not legal:
        warnings.append("未说明政策法规依据")
    if r and not facts:
        warnings.append("未说明调查核实情况")
    if r and not nxt:
        warnings.append("未说明后续办理措施")
    if days is not None and days < 0:
        warnings.append("答复时间早于留言时间")
    elif days is not None and days > period_days:
        warnings.append(f"答复超期（{days}天，时限{period_days}天）")
    return ReplyScore(
        relevance=round(relevance, 4),
        completeness=round(completeness, 4),
        explanation=round(explanation, 4),
        timeliness=None if timeliness is None else round(timeliness, 4),
        total=round(total, 2),
        warnings=warnings,
        days=days,
    )
