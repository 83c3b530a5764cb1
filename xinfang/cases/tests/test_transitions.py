from __future__ import annotations

import itertools

import pytest

from xinfang.cases.models import Status
from xinfang.cases.transitions import (
    ACTION_LABELS,
    STATUS_LABELS,
    TRANSITIONS,
    Action,
    TransitionRefused,
    allowed_actions,
    next_status,
)

PAIRS = list(itertools.product(Status.values, [a for a in Action if a != Action.REGISTER]))


def test_the_pure_status_list_matches_the_model() -> None:
    assert set(STATUS_LABELS) == set(Status.values)
    assert dict(Status.choices) == STATUS_LABELS


@pytest.mark.parametrize(("status", "action"), PAIRS)
def test_every_pair_is_either_a_transition_or_a_refusal_naming_state_and_action(
    status: str, action: Action
) -> None:
    if (status, action) in TRANSITIONS:
        assert next_status(status, action) in STATUS_LABELS
        return
    with pytest.raises(TransitionRefused) as exc:
        next_status(status, action)
    assert f"当前状态为“{STATUS_LABELS[status]}”" in str(exc.value)
    assert f"不能{ACTION_LABELS[action]}" in str(exc.value)


def test_closed_statuses_allow_nothing_but_bookkeeping() -> None:
    for status in ("declined", "refused_again", "terminated"):
        # A 督办 and a leader's instruction written while the case was open are answered after; a
        # leader may still receive the petitioner or take the matter as 包案.
        assert set(allowed_actions(status)) == {
            Action.LINK,
            Action.SUPERVISE,
            Action.NOTE_LEADERSHIP,
            Action.NOTE_RECEPTION,
            Action.REPORT_ON_INSTRUCTION,
        }


def test_every_open_status_leads_somewhere() -> None:
    for status in (
        "registered",
        "routed",
        "accepted",
        "replied",
        "delivered",
        "reviewing",
        "reviewed",
        "rereviewing",
    ):
        targets = {next_status(status, a) for a in allowed_actions(status)}
        assert targets - {status}, status


def test_rereview_is_final() -> None:
    assert next_status("rereviewing", Action.REREVIEW_DECIDE) == "terminated"
