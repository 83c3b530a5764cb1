"""The statutory workflow check: is an action allowed in a status, and where does it lead.

Pure: no Django. The table itself is part of the case vocabulary (`xinfang.cases.vocabulary.
TRANSITIONS`); `xinfang.cases.services` checks every action here before touching a case, so a
button pressed in the wrong state is refused with a message that names the state and the action.
"""

from __future__ import annotations

from xinfang.cases.vocabulary import (
    ACTION_LABELS,
    BOOKKEEPING,
    SAME,
    STATUS_LABELS,
    TRANSITIONS,
    Action,
    Status,
)

__all__ = [
    "ACTION_LABELS",
    "BOOKKEEPING",
    "SAME",
    "STATUS_LABELS",
    "TRANSITIONS",
    "Action",
    "TransitionRefused",
    "allowed_actions",
    "next_status",
]

# Statuses by value, for the pure modules that fold events (the replay).
REGISTERED = Status.REGISTERED


class TransitionRefused(Exception):
    def __init__(self, status: str, action: Action) -> None:
        allowed = "、".join(ACTION_LABELS[a] for a in allowed_actions(status) if a not in BOOKKEEPING) or "无"
        super().__init__(
            f"当前状态为“{STATUS_LABELS.get(status, status)}”，不能{ACTION_LABELS[action]}。此状态下可进行：{allowed}。"
        )
        self.status = status
        self.action = action


def next_status(status: str, action: Action) -> str:
    """The status after `action`, or TransitionRefused naming the state and the action."""
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise TransitionRefused(status, action)
    # a plain string, as the model field holds it (the table is written with Status members)
    return status if target == SAME else str(target)


def allowed_actions(status: str) -> list[Action]:
    return [action for (state, action) in TRANSITIONS if state == status]
