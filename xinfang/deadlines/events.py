"""The event records clocks are derived from (pure: no Django).

The case lifecycle appends ``CaseEvent`` rows; to derive clocks it hands each one over as a
:class:`ClockEvent` (kind, local date, payload). Kinds the clocks do not know are ignored, so the
whole event log can be passed as it is.

Lifecycle events (policy rules name them as the start, end or cancel events of a clock):

==================== =========================================================================
kind                 meaning
==================== =========================================================================
registered           登记: a petition bureau registers the matter (《信访工作条例》第二十二条)
forwarded            转送 to the responsible unit; that unit has now received it (第二十二、二十三条)
assigned             交办 to the responsible unit, with a completion report due (第二十二条)
accepted             受理: the unit accepts and notifies the petitioner (第二十三条)
answered             直接答复: the registering organ answers the matter itself (第二十二条)
declined             不予受理 / 不再受理: a written decision not to accept (第二十三条)
objected             the unit objects that the matter was wrongly routed to it (第二十三条)
replied              信访处理意见书 issued: handling is done (第三十二、三十四条)
delivered            the written reply is served on the petitioner (第三十五条 counts from here)
rated                the petitioner rates the handling (满意度评价, 第二十一条)
review_requested     复查 request received by the next-higher organ (第三十五条)
review_decided       复查意见 issued and served (第三十五条)
rereview_requested   复核 request received (第三十六条)
rereview_decided     复核意见 issued and served (第三十六条)
==================== =========================================================================

Clock-control events (handled by the clock engine itself, the same under every profile):

==================== =========================================================================
extended             延期 approved (第三十四条); payload ``{"days": int, "clock": "handle"}``
                     (``clock`` defaults to ``handle``)
paused / resumed     the clock stops, e.g. waiting for material from the petitioner; optional
                     payload ``{"clocks": ["handle", ...]}``, default every running duty clock
hearing_started /    听证: its time does not count (第三十六条); same payload as ``paused``
hearing_ended
closed               终结 or withdrawal: every clock still running is cancelled
==================== =========================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType


class EventKind(StrEnum):
    REGISTERED = "registered"
    FORWARDED = "forwarded"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    ANSWERED = "answered"  # the registering organ answers the matter itself (直接答复)
    DECLINED = "declined"
    OBJECTED = "objected"
    REPLIED = "replied"
    DELIVERED = "delivered"
    RATED = "rated"
    REVIEW_REQUESTED = "review_requested"
    REVIEW_DECIDED = "review_decided"
    REREVIEW_REQUESTED = "rereview_requested"
    REREVIEW_DECIDED = "rereview_decided"
    EXTENDED = "extended"
    PAUSED = "paused"
    RESUMED = "resumed"
    HEARING_STARTED = "hearing_started"
    HEARING_ENDED = "hearing_ended"
    CLOSED = "closed"


# pause source opened by each pausing event, and the event that closes it
PAUSE_OPENERS: Mapping[str, str] = MappingProxyType(
    {EventKind.PAUSED: "paused", EventKind.HEARING_STARTED: "hearing"}
)
PAUSE_CLOSERS: Mapping[str, str] = MappingProxyType(
    {EventKind.RESUMED: "paused", EventKind.HEARING_ENDED: "hearing"}
)

CONTROL_EVENTS: frozenset[str] = frozenset(
    {EventKind.EXTENDED, EventKind.CLOSED, *PAUSE_OPENERS, *PAUSE_CLOSERS}
)
LIFECYCLE_EVENTS: frozenset[str] = frozenset(set(EventKind) - CONTROL_EVENTS)


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """One case event as the clocks see it: what happened, on which local (Beijing) date."""

    kind: str
    at: date
    payload: Mapping[str, object] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # datetime is a subclass of date, and comparing the two raises TypeError deep inside the
        # arithmetic; clocks count local dates, so convert with timeutil.local_date() first.
        if isinstance(self.at, datetime) or not isinstance(self.at, date):
            raise TypeError(f"ClockEvent.at must be a local date, got {self.at!r}")
