"""Reply-quality evaluation: does the true reply outscore a reply written to a different message?"""

from __future__ import annotations

import random

from xinfang.textintel.reply_quality import build_idf, score_reply


def pairwise_win_rate(rows: list[dict[str, str]], seed: int = 11) -> tuple[float, int]:
    """Share of messages whose own reply scores higher than a random other message's reply.

    Both replies are scored with the true reply's dates, so only the text can make the difference.
    Ties count as losses.
    """
    rng = random.Random(seed)
    rows = [r for r in rows if r["答复意见"].strip()]
    idf = build_idf([r["留言主题"] + r["留言详情"] for r in rows] + [r["答复意见"] for r in rows])
    wins = 0
    for i, r in enumerate(rows):
        j = rng.randrange(len(rows) - 1)
        j = j + 1 if j >= i else j
        true = score_reply(r["留言主题"], r["留言详情"], r["答复意见"], r["留言时间"], r["答复时间"], idf=idf)
        other = score_reply(
            r["留言主题"], r["留言详情"], rows[j]["答复意见"], r["留言时间"], r["答复时间"], idf=idf
        )
        wins += true.total > other.total
    return wins / len(rows), len(rows)
