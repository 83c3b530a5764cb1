"""Duplicate-detection evaluation: perturbed resubmissions of real messages vs unrelated messages.

Each query is a copy of an indexed message changed the way people resubmit: traditional characters
(OpenCC s2t), punctuation and spacing changed, a paragraph dropped or one added from another message,
the title rewritten. A query counts as found when its original is the top match at or above the
same-matter threshold. False alarms are measured with messages that are *not* in the index: any
match at or above the threshold for them is a false positive (unless it is a near-identical text of
the same user and title in the data, which are real duplicates and are excluded from the negatives).
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass

import opencc

from xinfang.textintel.near_dup import SAME_MATTER_THRESHOLD, DuplicateIndex, is_same_matter

_S2T = opencc.OpenCC("s2t")
_TITLE_PREFIXES = ["关于", "反映", "投诉", "请求解决", "再次反映", "强烈要求处理"]
_TITLE_SUFFIXES = ["的问题", "，请领导重视", "！！", "的情况", "，望尽快答复"]


def paragraphs(detail: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"\n+|(?<=[。！？])", detail) if p.strip()]
    return parts or [detail.strip()]


def perturb(title: str, detail: str, other_detail: str, rng: random.Random) -> str:
    """One resubmission-like copy: every copy gets 2–4 of the five changes."""
    ops = rng.sample(["trad", "punct", "drop", "add", "title"], rng.randint(2, 4))
    paras = paragraphs(detail)
    if "drop" in ops and len(paras) >= 3:
        del paras[rng.randrange(len(paras))]
    if "add" in ops:
        extra = paragraphs(other_detail)
        paras.insert(rng.randrange(len(paras) + 1), extra[0][:120])
    if "title" in ops:
        title = rng.choice(_TITLE_PREFIXES) + title.strip("。！？ ") + rng.choice(_TITLE_SUFFIXES)
    text = title + "\n" + "\n\n".join(paras)
    if "punct" in ops:
        text = text.replace("，", ", ").replace("。", ". ").replace("！", "!!").replace("？", "?")
        text = re.sub(
            r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])", lambda _: " " if rng.random() < 0.03 else "", text
        )
    if "trad" in ops:
        text = str(_S2T.convert(text))
    return text


@dataclass(frozen=True)
class DupResult:
    recall: float
    precision: float
    n_indexed: int
    n_queries: int
    n_negatives: int
    false_positives: int
    index_seconds: float
    query_ms_median: float
    threshold: float


def evaluate(
    rows: list[dict[str, str]], seed: int = 7, n_queries: int = 1000, threshold: float | None = None
) -> DupResult:
    """Index half the messages; query perturbed copies of indexed ones and unrelated held-back ones."""
    rng = random.Random(seed)
    rows = [r for r in rows if len((r["留言主题"] + r["留言详情"]).strip()) >= 30]
    rng.shuffle(rows)
    half = len(rows) // 2
    indexed, held = rows[:half], rows[half:]
    index = DuplicateIndex()
    t0 = time.perf_counter()
    for r in indexed:
        index.add(r["key"], r["留言主题"] + "\n" + r["留言详情"])
    index_seconds = time.perf_counter() - t0
    thr = threshold if threshold is not None else SAME_MATTER_THRESHOLD
    targets = rng.sample(indexed, min(n_queries, len(indexed)))
    tp = fp = 0
    times: list[float] = []
    for r in targets:
        other = rng.choice(held)
        q = perturb(r["留言主题"], r["留言详情"], other["留言详情"], rng)
        t = time.perf_counter()
        hits = index.query(q, k=3)
        times.append(time.perf_counter() - t)
        if hits and is_same_matter(hits[0][1], thr):
            if hits[0][0] == r["key"] or r["dupkey"] == _dupkey_of(indexed, hits[0][0]):
                tp += 1
            else:
                fp += 1
    indexed_dupkeys = {r["dupkey"] for r in indexed}
    negatives = [r for r in held if r["dupkey"] not in indexed_dupkeys][:n_queries]
    fp_neg = 0
    for r in negatives:
        hits = index.query(r["留言主题"] + "\n" + r["留言详情"], k=1)
        if hits and is_same_matter(hits[0][1], thr):
            fp_neg += 1
    found = tp
    flagged = tp + fp + fp_neg
    times.sort()
    return DupResult(
        recall=found / len(targets),
        precision=found / flagged if flagged else 1.0,
        n_indexed=len(indexed),
        n_queries=len(targets),
        n_negatives=len(negatives),
        false_positives=fp + fp_neg,
        index_seconds=index_seconds,
        query_ms_median=1000 * times[len(times) // 2],
        threshold=thr,
    )


_DUPKEY_CACHE: dict[int, dict[str, str]] = {}


def _dupkey_of(indexed: list[dict[str, str]], key: str) -> str:
    table = _DUPKEY_CACHE.setdefault(id(indexed), {r["key"]: r["dupkey"] for r in indexed})
    return table[key]


def near_identical_keys(texts: list[str], cosine: float = 0.9) -> list[str]:
    """Group ids of near-identical texts (char 2–3-gram TF-IDF cosine ≥ 0.9, connected components),
    the data README's definition, computed independently of the MinHash index under test."""
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import TfidfVectorizer

    from xinfang.textintel.normalize import compact

    x = TfidfVectorizer(analyzer="char", ngram_range=(2, 3)).fit_transform([compact(t) for t in texts])
    sim = x @ x.T
    sim.data[sim.data < cosine] = 0
    sim.eliminate_zeros()
    _, labels = connected_components(sim, directed=False)
    return [f"g{v}" for v in labels]
