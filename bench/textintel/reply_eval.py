"""Reply-quality evaluation: does the true reply outscore a reply written to a different message?

The relevance weights were chosen looking at the first half of the rows only ("tuning half"); the
second half ("held-out half") shows whether the rule generalises. Both are reported, with and without
the petitioner's user code (text-only evidence).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from xinfang.textintel.reply_quality import build_idf, score_reply


@dataclass(frozen=True)
class WinRates:
    all: float
    tuning_half: float
    held_out_half: float
    text_only_all: float
    text_only_held_out: float
    n: int


def pairwise_win_rate(rows: list[dict[str, str]], seed: int = 11) -> WinRates:
    """Share of messages whose own reply scores higher than a random other message's reply.

    Both replies are scored with the true reply's dates, so only the text can make the difference.
    Ties count as losses. The idf table comes from the replies of the file (no labels involved).
    """
    rng = random.Random(seed)
    rows = [r for r in rows if r["答复意见"].strip()]
    idf = build_idf([r["答复意见"] for r in rows])
    wins: list[bool] = []
    wins_text: list[bool] = []
    for i, r in enumerate(rows):
        j = rng.randrange(len(rows) - 1)
        j = j + 1 if j >= i else j
        for user, out in ((r["留言用户"], wins), (None, wins_text)):
            true = score_reply(
                r["留言主题"], r["留言详情"], r["答复意见"], r["留言时间"], r["答复时间"], idf=idf, user=user
            )
            other = score_reply(
                r["留言主题"],
                r["留言详情"],
                rows[j]["答复意见"],
                r["留言时间"],
                r["答复时间"],
                idf=idf,
                user=user,
            )
            out.append(true.total > other.total)
    half = len(rows) // 2

    def rate(xs: list[bool]) -> float:
        return sum(xs) / len(xs) if xs else 0.0

    return WinRates(
        all=rate(wins),
        tuning_half=rate(wins[:half]),
        held_out_half=rate(wins[half:]),
        text_only_all=rate(wins_text),
        text_only_held_out=rate(wins_text[half:]),
        n=len(rows),
    )
