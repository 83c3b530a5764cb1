"""Issues within one place's messages (pure): a place name alone does not make one topic.

Each place group is cut into *issues*, because a place name alone does not make one topic: the
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
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from .features import CharNgramTfidf
from .messages import HotMessage, Normalised
from .places import named_places

__all__ = ["JOIN_ALONE", "TITLE_AGREE", "IssueModel", "split_by_issue"]

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
    for name in sorted({key, *named_places(title)}, key=lambda n: (-len(n), n)):  # longest first
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


class IssueModel:
    """TF-IDF of the issue text (character 1–2-grams) and of the title's issue words (1–2-grams), fitted
    once per ``find_hotspots`` call on up to ~20,000 of its messages."""

    def __init__(self, messages: Sequence[HotMessage], nc: Normalised) -> None:
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


def split_by_issue(
    msgs: list[HotMessage], key: str, model: IssueModel, threshold: float, nc: Normalised
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
