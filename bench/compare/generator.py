"""The logical data of the side-by-side benchmark, the same for Xinfang and for django-helpdesk.

Pure Python, no Django, seeded: ``cases(total, end)`` yields the same ``Row`` values on every run
for the same arguments, in whichever virtual environment it runs (each side's loader imports this
module and writes the rows its own way). What it models:

- 24 months of receipts ending on ``end``, with a rising trend and a season (fewer at the Spring
  Festival, more in spring and autumn, half on weekends: ``bench/statistics``' day weights);
- 10 petition bureaus (helpdesk's queues), skewed (Zipf), each with 30 responsible units, so the
  300 units are skewed too (unit ``bureau * 30 + k``, k Zipf-distributed);
- a content category (an index, Zipf over ``CATEGORIES``), a channel, a head count;
- the course of the matter as the clocks run: routed within days (3 % declined), accepted by the
  unit, replied within 60 days mostly (one in seven later, some months late), delivered; the last weeks' matters are
  still open, and an open matter whose duty clock has passed its due moment is overdue.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

SEED = 2026
BUREAUS = 10
UNITS_PER_BUREAU = 30
UNITS = BUREAUS * UNITS_PER_BUREAU
CATEGORIES = 60
DAYS = 731
BEIJING = dt.timezone(dt.timedelta(hours=8))
CHANNELS = ("letter", "visit", "online", "phone")
CHANNEL_WEIGHTS = (0.22, 0.33, 0.40, 0.05)
# Where an open matter stands, and the clock that runs then (its statutory days).
CLOCK_DAYS = {"registered": ("route", 15), "routed": ("accept", 15), "accepted": ("handle", 60)}
OPEN = frozenset({"registered", "routed", "accepted", "replied"})


@dataclass(frozen=True, slots=True)
class Row:
    serial: int  # 1, 2, ... in the order of receipt
    received: dt.datetime  # aware, Beijing time
    registered: dt.date
    bureau: int  # 0..9
    unit: int  # 0..299, the responsible unit (``bureau * 30 + k``)
    category: int  # 0..CATEGORIES-1
    channel: str
    headcount: int
    status: str  # registered / routed / accepted / replied / delivered / declined
    routed: dt.date | None
    accepted: dt.date | None
    replied: dt.date | None
    closed: dt.date | None  # delivered or declined
    rating: str  # "", satisfied, basically, dissatisfied
    rated: dt.date | None
    clock: str  # the duty clock running now ("" when none)
    due: dt.datetime | None  # that clock's due moment (the end of its last day)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def overdue(self, now: dt.datetime) -> bool:
        return self.due is not None and self.due <= now


def zipf(n: int, s: float = 1.0) -> list[float]:
    return [1 / (k + 1) ** s for k in range(n)]


def day_weights(first: dt.date) -> list[float]:
    """A rising trend (+8 % a year), fewer at the Spring Festival (February), more in March-April
    and September-October, half on weekends."""
    weights = []
    for d in range(DAYS):
        day = first + dt.timedelta(days=d)
        w = 1.0 + 0.08 * d / 365
        if day.month == 2:
            w *= 0.6
        elif day.month in (3, 4, 9, 10):
            w *= 1.2
        if day.weekday() >= 5:
            w *= 0.5
        weights.append(w)
    return weights


def first_day(end: dt.date) -> dt.date:
    return end - dt.timedelta(days=DAYS - 1)


def end_of(day: dt.date) -> dt.datetime:
    """The due moment of a clock whose last day is `day`: the end of that Beijing day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=BEIJING)


def cases(total: int, end: dt.date, *, seed: int = SEED, chunk: int = 10_000) -> Iterator[list[Row]]:
    """`total` rows over the 24 months ending on `end`, in chunks of `chunk`, oldest first."""
    rng = random.Random(seed)
    first = first_day(end)
    weights = day_weights(first)
    days = list(range(DAYS))
    bureau_weights = zipf(BUREAUS, 0.8)
    unit_weights = zipf(UNITS_PER_BUREAU, 1.0)
    category_weights = zipf(CATEGORIES, 1.1)
    serial = 0
    for lo in range(0, total, chunk):
        size = min(chunk, total - lo)
        rows = []
        for d in sorted(rng.choices(days, weights=weights, k=size)):
            serial += 1
            day = first + dt.timedelta(days=d)
            received = dt.datetime.combine(
                day, dt.time(8 + rng.randrange(10), rng.randrange(60)), tzinfo=BEIJING
            )
            bureau = rng.choices(range(BUREAUS), weights=bureau_weights)[0]
            unit = bureau * UNITS_PER_BUREAU + rng.choices(range(UNITS_PER_BUREAU), weights=unit_weights)[0]
            channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
            collective = channel == "visit" and rng.random() < 0.08
            headcount = (
                min(60, 5 + int(rng.expovariate(1 / 8)))
                if collective
                else (1 if rng.random() < 0.85 else rng.randint(2, 4))
            )
            registered = min(end, day + dt.timedelta(days=0 if rng.random() < 0.9 else rng.randint(1, 5)))
            rows.append(
                _course(
                    rng,
                    end,
                    serial=serial,
                    received=received,
                    registered=registered,
                    bureau=bureau,
                    unit=unit,
                    category=rng.choices(range(CATEGORIES), weights=category_weights)[0],
                    channel=channel,
                    headcount=headcount,
                )
            )
        yield rows


def _later(day: dt.date, rng: random.Random, lo: int, hi: int, end: dt.date) -> dt.date | None:
    later = day + dt.timedelta(days=rng.randint(lo, hi))
    return later if later <= end else None


def _course(rng: random.Random, end: dt.date, **known: object) -> Row:
    registered: dt.date = known["registered"]  # type: ignore[assignment]
    state: dict[str, object] = {
        "status": "registered",
        "routed": None,
        "accepted": None,
        "replied": None,
        "closed": None,
        "rating": "",
        "rated": None,
    }
    start = registered
    routed = _later(registered, rng, 1, 12 if rng.random() < 0.9 else 25, end)
    if routed is not None:
        if rng.random() < 0.03:
            state.update(status="declined", closed=routed)
        else:
            state.update(status="routed", routed=routed)
            start = routed
            accepted = _later(routed, rng, 1, 13 if rng.random() < 0.92 else 30, end)
            if accepted is not None:
                state.update(status="accepted", accepted=accepted)
                start = accepted
                roll = rng.random()
                replied = _later(accepted, rng, 10, 55 if roll < 0.85 else 90 if roll < 0.95 else 240, end)
                if replied is not None:
                    state.update(status="replied", replied=replied)
                    closed = _later(replied, rng, 0, 5, end)
                    if closed is not None:
                        state.update(status="delivered", closed=closed)
                        if rng.random() < 0.75 and (rated := _later(closed, rng, 0, 7, end)):
                            state.update(
                                rating=rng.choices(("satisfied", "basically", "dissatisfied"), (85, 10, 5))[
                                    0
                                ],
                                rated=rated,
                            )
    clock, days = CLOCK_DAYS.get(str(state["status"]), ("", 0))
    due = end_of(start + dt.timedelta(days=days)) if clock else None
    return Row(clock=clock, due=due, **known, **state)  # type: ignore[arg-type]
