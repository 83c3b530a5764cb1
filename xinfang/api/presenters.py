"""Cases as the API shows them: list rows, the full detail, and who sees personal data unmasked."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from xinfang.cases.clocks import case_clocks
from xinfang.cases.instructions import derive as derive_instructions
from xinfang.cases.models import (
    Case,
    CaseEvent,
    CaseUnit,
    Channel,
    InstructionState,
    Nature,
    Petitioner,
    Rating,
    Status,
)
from xinfang.cases.privacy import petitioner_view, sees_personal_data
from xinfang.cases.selectors import case_events
from xinfang.cases.services import Registration
from xinfang.cases.transitions import allowed_actions
from xinfang.cases.vocabulary import ACTION_LABELS, BUREAU_ONLY, Action
from xinfang.orgs.models import Org, User

# Roles that need a petitioner's name, ID number and phone to do their work (DESIGN §5).

# The endpoint of each workflow action the API offers, relative to /api/v1/cases/{id}/: the
# action's path in the vocabulary. Registration is POST /cases, 督办 goes through /supervision, a
# leader's steps through /leadership, the hall's through the reception pages, and attachments are not offered by the API yet.
NOT_IN_API = frozenset(
    {Action.REGISTER, Action.ATTACH, Action.SUPERVISE, Action.NOTE_LEADERSHIP, Action.NOTE_RECEPTION}
)
ACTION_PATHS: dict[Action, str] = {action: action.path for action in Action if action not in NOT_IN_API}


def org_ref(org: Org | None) -> dict[str, Any] | None:
    return {"id": org.pk, "name": org.name} if org is not None else None


def case_row(case: Case) -> dict[str, Any]:
    """A list row: no personal data, so nothing to mask. Needs category and both orgs selected."""
    return {
        "id": case.pk,
        "number": case.number,
        "subject": case.subject,
        "channel": case.channel,
        "channel_label": Channel(case.channel).label,
        "nature": case.nature,
        "nature_label": Nature(case.nature).label,
        "category_code": case.category.code,
        "category_name": case.category.name,
        "status": case.status,
        "status_label": Status(case.status).label,
        "registered_at": case.registered_at,
        "registered_org": org_ref(case.registered_org),
        "current_org": org_ref(case.current_org),
        "headcount": case.headcount,
        # in UTC like every stored moment (a case just projected holds it in Beijing time)
        "next_due_at": case.next_due_at.astimezone(dt.UTC) if case.next_due_at is not None else None,
        "overdue": case.is_overdue,
    }


def case_receipt(case: Case) -> dict[str, Any]:
    """The registration receipt for a user who may not see the case (第三十条): where it went, and
    the 查询码 for the petitioner; nothing of the matter itself, nor how it is being handled."""
    forward = case.events.filter(kind="forwarded", payload__at_registration=True).order_by("seq").first()
    to_org = Org.objects.filter(pk=forward.payload["to_org"]).first() if forward else None
    if to_org is not None:
        notice = f"已登记并转送至{to_org.name}；该检举控告涉及本机关，本机关不再查看其内容（第三十条）。"
    else:
        notice = "已登记；该检举控告涉及您所在的机关，您不能查看其内容（第三十条）。"
    return {
        "id": case.pk,
        "number": case.number,
        "query_code": case.query_code,
        "registered_at": case.registered_at,
        "forwarded_to": org_ref(to_org),
        "notice": notice,
    }


def petitioner_out(person: Petitioner, *, masked: bool) -> dict[str, Any]:
    return asdict(petitioner_view(person, masked=masked))


def action_links(case: Case, events: list[CaseEvent]) -> list[dict[str, str]]:
    """The steps the case's status allows; the report on a leader's instruction only while one
    waits for it (it is allowed in every status, closed ones included)."""
    awaiting = any(
        row["state"] == InstructionState.INSTRUCTED for row in derive_instructions(events).values()
    )
    return [
        {
            "action": action.value,
            "label": ACTION_LABELS[action],
            "method": "POST",
            "path": f"/api/v1/cases/{case.pk}/{ACTION_PATHS[action]}",
        }
        for action in allowed_actions(case.status)
        if action in ACTION_PATHS
        and not (action in BUREAU_ONLY and not case.current_org.is_petition_bureau)
        and (action != Action.REPORT_ON_INSTRUCTION or awaiting)
    ]


def case_detail_out(user: User, case: Case) -> dict[str, Any]:
    """The full detail of a case read through the access policy (`lookups.visible_case`)."""
    return case_detail_of(
        case,
        masked=not sees_personal_data(user, case),
        events=list(case_events(case)),
        petitioners=list(case.petitioners.all()),
        units=list(case.units.select_related("org").order_by("since", "id")),
        ratings=list(case.ratings.select_related("org").order_by("rated_at", "id")),
    )


def registration_out(registration: Registration, *, masked: bool) -> dict[str, Any]:
    """The full detail of a case just registered, from the rows the service wrote: no read."""
    return case_detail_of(
        registration.case,
        masked=masked,
        events=registration.events,
        petitioners=registration.petitioners,
        units=registration.units,
        ratings=[],
    )


def case_detail_of(
    case: Case,
    *,
    masked: bool,
    events: list[CaseEvent],
    petitioners: list[Petitioner],
    units: list[CaseUnit],
    ratings: list[Rating],
) -> dict[str, Any]:
    """The detail body; the case needs its category, region and organs loaded (or set), the
    events their actor and organ, the units and ratings their organ."""
    return {
        **case_row(case),
        "content": case.content,
        "query_code": None if masked else case.query_code,
        "problem_region": {"code": case.problem_region.code, "name": case.problem_region.name},
        "received_on": case.received_on,
        "registered_by": str(case.registered_by),
        "registered_level": case.registered_level,
        "is_collective": case.is_collective,
        "via_proper_ladder": case.via_proper_ladder,
        "accused_person": case.accused_person,
        "accused_org": org_ref(case.accused_org),
        "review_org": org_ref(case.review_org),
        "paused": case.paused,
        "extension_days": case.extension_days,
        "closed_at": case.closed_at,
        "version": case.version,
        "repeat_of_id": case.repeat_of_id,
        "duplicate_of_id": case.duplicate_of_id,
        "petitioners": [petitioner_out(p, masked=masked) for p in petitioners],
        "units": [
            {
                "org": org_ref(unit.org),
                "role": unit.role,
                "role_label": CaseUnit.Role(unit.role).label,
                "is_active": unit.is_active,
                "since": unit.since,
            }
            for unit in units
        ],
        "events": [
            {
                "seq": event.seq,
                "kind": event.kind,
                "at": event.at,
                "actor": str(event.actor) if event.actor else None,
                "org": event.org.name if event.org else None,
                "payload": event.payload or {},
            }
            for event in events
        ],
        "clocks": [
            {
                "name": clock.name,
                "kind": clock.kind,
                "state": clock.state,
                "started_on": clock.started_on,
                "due_on": clock.due_on,
                "ended_on": clock.ended_on,
                "paused_days": clock.paused_days,
                "extension_days": clock.extension_days,
                "legal_ref": clock.legal_ref,
                "warnings": list(clock.warnings),  # the same as the case page shows
            }
            for clock in case_clocks(case, events=events)
        ],
        "ratings": [
            {
                "track": rating.track,
                "value": rating.value,
                "org": org_ref(rating.org),
                "reason": rating.reason,
                "rated_at": rating.rated_at,
            }
            for rating in ratings
        ],
        "allowed_actions": action_links(case, events),
    }
