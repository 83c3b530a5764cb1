"""The case vocabulary is complete everywhere it is used.

Every action has a service, a workbench form, an API endpoint, labels and a row in the action
table of docs/case-workflow.md; every event kind has a timeline text; every clock has its labels
and a rule in every shipped profile. A new member of an enum that misses one of them fails here,
with the place to add it. The docs table's rows are derived from the vocabulary: when they differ,
the failure prints the table to paste (the `body` column is the one written by hand).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xinfang.api import actions as api_actions
from xinfang.api.presenters import ACTION_PATHS, NOT_IN_API
from xinfang.cases import services
from xinfang.cases.models import Status as StatusChoices
from xinfang.cases.presentation import CLOCK_LABELS as PAGE_CLOCK_LABELS
from xinfang.cases.presentation import event_summary
from xinfang.cases.vocabulary import (
    ACTIONS,
    CLOCK_TERMS,
    EVENTS,
    STATUS_LABELS,
    TRANSITIONS,
    Action,
    Clock,
    EventKind,
    Status,
)
from xinfang.deadlines import events as clock_events
from xinfang.deadlines.models import CLOCK_LABELS as RULE_CLOCK_LABELS
from xinfang.deadlines.profiles import CLOCK_NAMES, load_profiles
from xinfang.deadlines.selectors import profiles_from_db
from xinfang.workbench.forms_actions import ACTION_FORMS

WORKFLOW_DOC = Path(__file__).resolve().parents[3] / "docs" / "case-workflow.md"
TABLE_START = "<!-- action table: generated from xinfang.cases.vocabulary, checked by test_vocabulary -->"
TABLE_END = "<!-- end of action table -->"
HEADER = (
    "| action | 中文 | 条例 | service | workbench form | API (`POST /api/v1/cases/{id}/…`) | body | events |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- |"
)

# Actions taken on pages of their own rather than the case page's action form, and why.
NO_ACTION_FORM = {
    Action.REGISTER: "the registration page (workbench.actions.case_register)",
    Action.SUPERVISE: "the supervision pages (xinfang.supervision)",
    Action.NOTE_LEADERSHIP: "the leaders' pages (xinfang.leadership): 接访, 约访, 下访, 包案, 会商",
    Action.NOTE_RECEPTION: "the reception pages (xinfang.reception): 联合接访, 律师接访, 基层上报",
}


# ---- actions -------------------------------------------------------------------------------


@pytest.mark.parametrize("action", list(Action))
def test_every_action_has_labels(action: Action) -> None:
    assert action in ACTIONS, f"add {action!r} to vocabulary.ACTIONS"
    assert action.label.strip()
    assert action.path == action.path.lower() and " " not in action.path


@pytest.mark.parametrize("action", list(Action))
def test_every_action_has_a_service(action: Action) -> None:
    service = services.ACTION_SERVICES.get(action)
    assert service is not None, f"add {action!r} to xinfang.cases.services.ACTION_SERVICES"
    assert service.__name__ in services.__all__, f"export {service.__name__} from xinfang.cases.services"


@pytest.mark.parametrize("action", list(Action))
def test_every_action_has_a_workbench_form(action: Action) -> None:
    if action in NO_ACTION_FORM:
        assert action not in ACTION_FORMS
        return
    assert action in ACTION_FORMS, f"add a form for {action!r} to workbench.forms_actions.ACTION_FORMS"


@pytest.mark.parametrize("action", list(Action))
def test_every_action_has_an_api_endpoint(action: Action) -> None:
    if action in NOT_IN_API:
        assert action not in ACTION_PATHS
        return
    route = f"/cases/{{case_id}}/{ACTION_PATHS[action]}"
    view = api_actions.router.path_operations.get(route)
    assert view is not None, f"add `@_post(Action.{action.name})` to xinfang/api/actions.py"
    assert [op.methods for op in view.operations] == [["POST"]]


def test_the_api_offers_no_endpoint_outside_the_vocabulary() -> None:
    paths = {f"/cases/{{case_id}}/{path}" for path in ACTION_PATHS.values()}
    assert set(api_actions.router.path_operations) == paths


@pytest.mark.parametrize("action", [a for a in Action if a != Action.REGISTER])
def test_every_action_is_allowed_somewhere_and_recorded_by_an_event(action: Action) -> None:
    assert any(a == action for (_, a) in TRANSITIONS), f"add {action!r} to vocabulary.TRANSITIONS"
    assert any(term.action == action for term in EVENTS.values()), f"add the event kind {action!r} records"


def test_registration_is_recorded_and_creates_the_case() -> None:
    assert EventKind.REGISTERED.action == Action.REGISTER
    assert not any(a == Action.REGISTER for (_, a) in TRANSITIONS)


# ---- statuses and events -----------------------------------------------------------------


def test_the_model_choices_are_the_vocabulary() -> None:
    assert dict(StatusChoices.choices) == {s.value: s.label for s in Status}
    assert set(STATUS_LABELS) == set(Status)


@pytest.mark.parametrize("kind", list(EventKind))
def test_every_event_kind_has_a_readable_timeline_text(kind: EventKind) -> None:
    assert kind in EVENTS, f"add {kind!r} to vocabulary.EVENTS"
    text = event_summary(kind.value, {})
    assert text.strip() and text != kind.value
    assert not re.search(r"[a-z_]{4,}", text), text


def test_the_clocks_lifecycle_kinds_are_case_event_kinds() -> None:
    # The clocks' own control kinds (pauses, the closing of every clock) are not case events.
    own = {clock_events.EventKind.PAUSED, clock_events.EventKind.RESUMED, clock_events.EventKind.CLOSED}
    assert set(clock_events.EventKind) - own <= set(EventKind)


# ---- clocks --------------------------------------------------------------------------------


@pytest.mark.parametrize("clock", list(Clock))
def test_every_clock_has_labels_and_an_article(clock: Clock) -> None:
    assert clock in CLOCK_TERMS, f"add {clock!r} to deadlines.vocabulary.CLOCK_TERMS"
    assert clock.short_label.strip() and clock.long_label.strip()
    assert clock.legal_ref.startswith("第") and clock.legal_ref.endswith("条")
    assert RULE_CLOCK_LABELS[clock] == clock.short_label
    assert PAGE_CLOCK_LABELS[clock] == clock.long_label


def test_every_shipped_profile_has_a_rule_for_every_clock() -> None:
    assert tuple(c.value for c in Clock) == CLOCK_NAMES
    for profile in load_profiles().values():
        assert set(profile.rules) == set(Clock), profile.code


@pytest.mark.django_db
def test_every_stored_profile_has_a_rule_for_every_clock() -> None:
    # The rows were seeded from the shipped file once: a new clock needs a data migration too.
    profiles = profiles_from_db()
    assert profiles
    for profile in profiles.values():
        assert set(profile.rules) == set(Clock), profile.code


# ---- the docs table ------------------------------------------------------------------------


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def _documented() -> tuple[str, dict[str, list[str]]]:
    text = WORKFLOW_DOC.read_text(encoding="utf-8")
    assert TABLE_START in text and TABLE_END in text, f"{WORKFLOW_DOC.name} lost its action table markers"
    block = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()
    rows = {}
    for line in block.splitlines()[2:]:
        cells = _cells(line)
        rows[cells[0].strip("`")] = cells
    return block, rows


def _code(text: str) -> str:
    return f"`{text}`"


def expected_table(bodies: dict[str, str]) -> str:
    """The action table as the vocabulary gives it; `bodies` keeps the hand-written body cells."""
    lines = [HEADER]
    for action in Action:
        service = services.ACTION_SERVICES[action].__name__
        form = ACTION_FORMS[action].__name__ if action in ACTION_FORMS else "—"
        path = _code(ACTION_PATHS[action]) if action in ACTION_PATHS else "—"
        events = " ".join(_code(k) for k, term in EVENTS.items() if term.action == action)
        cells = [
            _code(action.value),
            action.label,
            action.legal_ref or "—",
            _code(service),
            _code(form) if form != "—" else form,
            path,
            bodies.get(action.value, "—") or "—",
            events,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_the_docs_have_a_row_for_every_action() -> None:
    block, rows = _documented()
    missing = [a.value for a in Action if a.value not in rows]
    expected = expected_table({name: cells[6] for name, cells in rows.items() if len(cells) > 6})
    assert not missing and block == expected, (
        f"{WORKFLOW_DOC.name}: the action table is out of date (missing: {missing}); "
        f"replace it with:\n\n{expected}\n"
    )
