"""Text analysis: at intake, duplicate / repeat, category and responsible-unit suggestions (no save);
and the 类案预警 a caller may see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from xinfang.api.auth import current_user
from xinfang.api.errors import ERROR_RESPONSES
from xinfang.api.schemas import LongText, PetitionerIn, ShortText
from xinfang.textintel.alerts import AlertView, alerts_for
from xinfang.textintel.intake import PersonIn, find_similar, suggest_category
from xinfang.textintel.routing_hint import suggest_unit

router = Router(tags=["textintel"])


class SimilarIn(Schema):
    subject: ShortText = ""
    content: LongText = ""
    problem_region_code: str | None = Field(None, pattern=r"^[0-9]{6,12}$", description="问题属地的区划代码")
    petitioners: list[PetitionerIn] = Field(default_factory=list, max_length=100)
    category_code: str | None = Field(
        None, pattern=r"^[0-9]{2,12}$", description="内容分类代码（用于建议责任单位，取前两位一级分类）"
    )


class SuggestionOut(Schema):
    kind: str = Field(description="重复信访 or 同一事项")
    case_id: int = Field(description="the earlier case (重复信访) or the master case (同一事项)")
    number: str
    subject: str
    similarity: float
    evidence: list[str]
    text: str


class CategorySuggestionOut(Schema):
    suggested_category: str | None = Field(description="level-1 category name; null: 需人工判断")
    best_guess: str
    confidence: float
    text: str


class UnitSuggestionOut(Schema):
    org_id: int
    org_name: str
    count: int = Field(description="similar past cases routed to this unit")
    total: int = Field(description="similar past cases (same level-1 category and county) that were routed")
    share: float
    text: str


class SimilarOut(Schema):
    suggestions: list[SuggestionOut]
    category: CategorySuggestionOut | None = None
    units: list[UnitSuggestionOut] = Field(
        default_factory=list,
        description="建议责任单位: where visible past cases of the same level-1 category and place were routed; "
        "needs category_code and problem_region_code",
    )


@router.post(
    "/cases/similar",
    response={200: SimilarOut, **ERROR_RESPONSES},
    summary="查重与分类建议",
    description="Earlier cases visible to the caller that the text repeats (重复信访) or joins (同一事项), "
    "the classifier's category suggestion when a model is installed, and the responsible units that similar "
    "past cases were routed to. Nothing is saved.",
)
def cases_similar(request: HttpRequest, payload: SimilarIn) -> dict[str, Any]:
    user = current_user(request)
    people = [
        PersonIn(name=p.name, id_number=p.id_number, phone=p.phone, address=p.address)
        for p in payload.petitioners
    ]
    found = find_similar(user, payload.subject, payload.content, people, payload.problem_region_code)
    category = (
        suggest_category(payload.subject, payload.content) if payload.subject or payload.content else None
    )
    units = suggest_unit(user, payload.category_code, payload.problem_region_code)
    return {
        "suggestions": [s.as_dict() for s in found],
        "units": [u.as_dict() for u in units],
        "category": None
        if category is None
        else {
            "suggested_category": category.label,
            "best_guess": category.best_guess,
            "confidence": round(category.confidence, 4),
            "text": category.describe(),
        },
    }


class AlertCaseOut(Schema):
    id: int
    number: str
    subject: str


class AlertOut(Schema):
    id: int
    title: str = Field(
        description="the cluster's description; a case subject when the caller sees only some cases"
    )
    place: str = Field(description="地点/人群 the cluster is about (may be empty)")
    size: int = Field(description="cases in the cluster at the last run (all bureaus)")
    reason: str = Field(description="why it was raised: 新出现的类案 or 类案增长 N → M 件")
    first_raised_at: datetime
    last_raised_at: datetime
    last_seen_at: datetime
    cases: list[AlertCaseOut] = Field(description="the cluster's cases visible to the caller, newest first")


@router.get(
    "/alerts",
    response={200: list[AlertOut], **ERROR_RESPONSES},
    summary="类案预警",
    description="The 类案预警 with at least one case visible to the caller, most recently raised first, each "
    "with only its visible cases.",
)
def alerts(request: HttpRequest) -> list[dict[str, Any]]:
    return [_alert_out(view) for view in alerts_for(current_user(request))]


def _alert_out(view: AlertView) -> dict[str, Any]:
    alert = view.alert
    return {
        "id": alert.pk,
        "title": view.title,
        "place": alert.place,
        "size": alert.size,
        "reason": alert.reason,
        "first_raised_at": alert.first_raised_at,
        "last_raised_at": alert.last_raised_at,
        "last_seen_at": alert.last_seen_at,
        "cases": [{"id": c.pk, "number": c.number, "subject": c.subject} for c in view.cases],
    }
