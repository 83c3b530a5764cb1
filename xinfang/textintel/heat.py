"""The heat index of a group of messages (类案预警), 0–100.

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
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from .messages import HotMessage

__all__ = ["heat_index"]


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
