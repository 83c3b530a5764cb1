"""Glue between the workbench pages and the text analysis: 查重 (with the category and responsible-unit
suggestions) on the registration page and the reply-quality check on the reply page. Both only re-render the page; nothing is saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.forms.utils import ErrorDict, ErrorList
from django.http import QueryDict

from xinfang.cases.clocks import case_clocks
from xinfang.cases.models import Case
from xinfang.core.timeutil import LOCAL_TZ, now
from xinfang.deadlines.clocks import Clock
from xinfang.orgs.models import User
from xinfang.textintel.db.intake import PersonIn, find_similar, suggest_category
from xinfang.textintel.db.routing_hint import suggest_unit
from xinfang.textintel.reply_quality import score_reply

REPLY_FIELDS = ("request", "facts", "reasons", "legal_basis")

PETITIONER_FIELDS = ("name", "id_number", "phone", "address")


def _people(data: QueryDict, prefix: str = "p") -> list[PersonIn]:
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS") or 0), 100)
    except ValueError:
        total = 0
    people = []
    for row in range(total):
        values = {f: (data.get(f"{prefix}-{row}-{f}") or "").strip() for f in PETITIONER_FIELDS}
        if any(values.values()):
            people.append(PersonIn(**values))
    return people


def similar_for_form(user: User, data: QueryDict) -> tuple[dict[str, Any], QueryDict]:
    """Suggestions for the registration form's data, and the data with the category and top unit
    suggestions put in its hidden fields (so that registering afterwards records what was suggested;
    a check that suggests nothing clears them)."""
    subject = (data.get("subject") or "").strip()
    content = (data.get("content") or "").strip()
    data = data.copy()
    region = (data.get("problem_region") or "").strip() or None
    result: dict[str, Any] = {
        "suggestions": [],
        "category": None,
        "units": [],
        "empty": not (subject or content),
    }
    if result["empty"]:
        return result, data
    result["suggestions"] = find_similar(user, subject, content, _people(data), region)
    result["units"] = suggest_unit(user, (data.get("category") or "").strip() or None, region)
    category = suggest_category(subject, content)
    result["category"] = category
    data["suggested_category"] = (category.label or "") if category is not None else ""
    data["suggested_confidence"] = f"{category.confidence:.4f}" if category is not None else ""
    top = result["units"][0] if result["units"] else None
    data["suggested_unit"] = str(top.org.pk) if top is not None else ""
    data["suggested_unit_count"] = str(top.count) if top is not None else ""
    data["suggested_unit_total"] = str(top.total) if top is not None else ""
    return result, data


def silence_errors(form: Any, formset: Any = None) -> None:
    """Show a bound form with what was typed but without validation errors (a check, not a submit)."""
    form.full_clean()
    form._errors = ErrorDict()
    if formset is not None:
        for f in formset.forms:
            f.full_clean()
            f._errors = ErrorDict()
        formset._errors = [ErrorDict() for _ in formset.forms]
        formset._non_form_errors = ErrorList()


def _handle_clock(case: Case) -> Clock | None:
    """The case's handling clock (第三十四条) once started: its due day carries the rule profile,
    the approved extensions and the hearing pauses."""
    return next((c for c in case_clocks(case) if c.name == "handle" and c.started_on is not None), None)


def reply_quality_for(case: Case, data: QueryDict) -> dict[str, Any]:
    """Scores of the drafted reply (信访请求, 查明事实, 处理理由, 法律依据 as one text) against the matter,
    with timeliness counted from the start of the handle clock to now against its due day (not scored
    before the case is accepted: there is no handling period yet)."""
    reply = "\n".join((data.get(name) or "").strip() for name in REPLY_FIELDS).strip()
    clock = _handle_clock(case)
    asked = due_on = None
    if clock is not None and clock.started_on is not None and clock.due_on is not None:
        asked = dt.datetime.combine(clock.started_on, dt.time.min, tzinfo=LOCAL_TZ)
        due_on = clock.due_on
    answered = now().astimezone(LOCAL_TZ)
    score = score_reply(
        case.subject, case.content, reply, asked_at=asked, answered_at=answered, due_on=due_on
    )
    return {
        "relevance": f"{score.relevance:.2f}",
        "completeness": f"{score.completeness:.2f}",
        "explanation": f"{score.explanation:.2f}",
        "timeliness": "—" if score.timeliness is None else f"{score.timeliness:.2f}",
        "total": f"{score.total:.1f}",
        "warnings": list(score.warnings),
    }
