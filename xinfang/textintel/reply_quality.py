"""Reply quality: how well does an official reply (答复意见) answer its message (留言)?

All four scores lie in [0, 1]; they are computed on normalised text, with character bigrams as terms
(no segmentation model, so it is fast and deterministic). A *salient* bigram is one of Chinese
characters or digits/letters that is not in ``_GENERIC`` (greetings and bureaucratic filler that every
reply contains, e.g. 您好, 感谢, 网友, 问题, 答复).

* **相关性 relevance** = 0.5 · title coverage + 0.5 · detail cosine. Title coverage is the share of
  the message title's salient bigrams that occur in the reply (replies usually restate the matter);
  detail cosine is the cosine of the salient-bigram vectors (count capped at 3, times the bigram's idf
  when an idf table from ``build_idf`` is given) of message and reply. Answers to a different message
  (答非所问) share neither the place names nor the subject.
* A reply about another matter explains nothing about this one, so completeness and explanation are
  multiplied by the *relevance gate* ``min(1, relevance / 0.5)``.
* **完整性 completeness** = share of the message's demands that the reply addresses. Demands are
  the sentences with a request cue (请, 希望, 要求, 建议, 能否, 是否, 何时, 为什么, ？ …); when there is
  none, the whole message is one demand. A demand is addressed when ≥ 30 % of its salient bigrams
  occur in the reply.
* **可解释性 explanation** = mean of three indicators: legal basis (《…》, 根据/依据/按照 … 规定/条例/
  办法/法), facts (经调查/核实/现场/了解, or a date or figure), next steps (将/下一步/责令/督促/
  已安排/联系电话/如有疑问 …). Each indicator is 1 when present, else 0.
* **及时性 timeliness** = 1 when the reply came within ``period_days`` (statutory period, passed in;
  default 60 days, the 信访工作条例 limit for handling a matter), falling linearly to 0 at twice the
  period; a reply dated before its message scores 0. Missing dates: not scored (None).
* **总分 total** = 100 · weighted mean with weights relevance 0.35, completeness 0.25, explanation 0.25,
  timeliness 0.15 (renormalised over the scored parts).
* **问题提示 warnings** (Chinese): relevance < 0.2 "疑似答非所问", completeness < 0.5 "部分诉求未回应",
  no legal basis "未说明政策法规依据", no facts "未说明调查核实情况", no next step "未说明后续办理措施",
  late "答复超期（N天，时限M天）", empty reply "答复为空".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from .normalize import compact

__all__ = ["ReplyScore", "build_idf", "days_between", "parse_time", "score_reply"]

WEIGHTS = {"relevance": 0.35, "completeness": 0.25, "explanation": 0.25, "timeliness": 0.15}
DEFAULT_PERIOD_DAYS = 60
_MAX_IDF = 8.0  # weight of a bigram the idf table has never seen
_GATE = 0.5  # relevance at which completeness and explanation count in full

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
_TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
)


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


def parse_time(value: str | None) -> datetime | None:
    """Parse the data's time formats (``2019/4/25 9:32:09``, ``2019-04-25 09:32:09`` …); None if blank."""
    if not value or not value.strip():
        return None
    text = value.strip()
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)  # noqa: DTZ007 - the data carries no zone; days only
        except ValueError:
            continue
    return None


def days_between(asked: datetime | None, answered: datetime | None) -> int | None:
    if asked is None or answered is None:
        return None
    return (answered.date() - asked.date()).days


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


def build_idf(texts: Iterable[str]) -> dict[str, float]:
    """Bigram idf ``log((1 + n) / (1 + df))`` over a batch of texts (e.g. all messages and replies of
    the file being scored): rare bigrams (place and estate names) then weigh more than common ones."""
    df: Counter[str] = Counter()
    n = 0
    for text in texts:
        df.update(set(_bigrams(compact(text))))
        n += 1
    return {k: math.log((1 + n) / (1 + v)) for k, v in df.items()}


def _cosine(a: Counter[str], b: Counter[str], idf: Mapping[str, float] | None) -> float:
    if not a or not b:
        return 0.0

    def w(k: str, v: int) -> float:
        return min(v, 3) * (idf.get(k, _MAX_IDF) if idf is not None else 1.0)

    dot = sum(w(k, v) * w(k, b[k]) for k, v in a.items() if k in b)
    na = math.sqrt(sum(w(k, v) ** 2 for k, v in a.items()))
    nb = math.sqrt(sum(w(k, v) ** 2 for k, v in b.items()))
    return dot / (na * nb) if na and nb else 0.0


def _timeliness(days: int | None, period_days: int) -> float | None:
    if days is None:
        return None
    if days < 0:
        return 0.0
    if days <= period_days:
        return 1.0
    return max(0.0, 1.0 - (days - period_days) / period_days)


def score_reply(
    title: str,
    detail: str,
    reply: str,
    asked_at: str | datetime | None = None,
    answered_at: str | datetime | None = None,
    period_days: int = DEFAULT_PERIOD_DAYS,
    idf: Mapping[str, float] | None = None,
) -> ReplyScore:
    """Score ``reply`` against the message (``title``, ``detail``); see the module docstring."""
    asked = parse_time(asked_at) if isinstance(asked_at, str | None) else asked_at
    answered = parse_time(answered_at) if isinstance(answered_at, str | None) else answered_at
    t, d, r = compact(title), compact(detail), compact(reply)
    reply_terms = _bigrams(r)
    reply_set = set(reply_terms)
    warnings: list[str] = []
    if not r:
        warnings.append("答复为空")

    title_terms = _bigrams(t)
    title_cov = _coverage(title_terms, reply_set) if title_terms else 0.0
    detail_cos = _cosine(Counter(_bigrams(d)), Counter(reply_terms), idf)
    relevance = 0.5 * title_cov + 0.5 * detail_cos if title_terms else detail_cos

    demands = [s for s in _SENTENCE_END.split(d) if s and _DEMAND.search(s)] or [t + d]
    gate = min(1.0, relevance / _GATE)
    addressed = sum(min(1.0, _coverage(_bigrams(s), reply_set) / 0.3) for s in demands)
    completeness = gate * addressed / len(demands)

    legal, facts, nxt = (bool(p.search(r)) for p in (_LEGAL, _FACTS, _NEXT))
    explanation = gate * (legal + facts + nxt) / 3.0

    days = days_between(asked, answered)
    timeliness = _timeliness(days, period_days)

    parts = {"relevance": relevance, "completeness": completeness, "explanation": explanation}
    if timeliness is not None:
        parts["timeliness"] = timeliness
    weight = sum(WEIGHTS[k] for k in parts)
    total = 100.0 * sum(WEIGHTS[k] * v for k, v in parts.items()) / weight

    if r and relevance < 0.2:
        warnings.append("疑似答非所问")
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
