"""Text analysis: at intake, duplicate / repeat, category and responsible-unit suggestions (no save);
the 类案预警 a caller may see, and recording an organ's 研判 of one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply

from xinfang.api.auth import current_user
from xinfang.api.errors import ERROR_RESPONSES
from xinfang.api.presenters import org_ref
from xinfang.api.schemas import BodyId, Id, LongText, OrgRefOut, PetitionerIn, ShortText
from xinfang.textintel.db.alerts import NOTE_MAX_LENGTH, AlertView, alerts_for, review_alert
from xinfang.textintel.db.intake import PersonIn, find_similar, suggest_category
from xinfang.textintel.db.routing_hint import suggest_unit
from xinfang.textintel.models import AlertReview

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


class AlertReviewOut(Schema):
    id: int
    alert_id: int
    org: OrgRefOut = Field(description="the organ that recorded the 研判")
    reviewed_by: str
    reviewed_at: datetime
    note: str = Field(description="研判意见")
    size_at_review: int = Field(
        description="the alert's size when it was raised last, at the time of the 研判"
    )


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
    pending: bool = Field(
        description="待研判: no 研判 recorded, since the alert was last raised, by one of the caller's organs "
        "where the caller is a registrar, handler, approver, bureau head or leader"
    )
    latest_review: AlertReviewOut | None = Field(description="the newest 研判 by any organ; null: none yet")


class AlertReviewIn(Schema):
    org_id: BodyId = Field(
        description="研判机构: an organ where the caller is a registrar, handler, approver, bureau head or leader"
    )
    note: LongText = Field(
        description=f"研判意见, at most {NOTE_MAX_LENGTH} characters (e.g. 已报分管领导、已合并交办)"
    )


@router.get(
    "/alerts",
    response={200: list[AlertOut], **ERROR_RESPONSES},
    summary="类案预警",
    description="The 类案预警 with at least one case visible to the caller, most recently raised first, each "
    "with only its visible cases.",
)
def alerts(request: HttpRequest) -> list[dict[str, Any]]:
    return [_alert_out(view) for view in alerts_for(current_user(request))]


@router.post(
    "/alerts/{alert_id}/review",
    response={201: AlertReviewOut, **ERROR_RESPONSES},
    summary="记录类案预警研判",
    description="Records that the organ `org_id` has reviewed (研判) the alert: it is no longer 待研判 for "
    "that organ until the cluster grows and is raised again. 404: no such alert, or none of its cases is "
    "visible to the caller; 403: the caller holds no reviewing role in the organ; 409 `conflict`: the organ "
    "has already reviewed it since it was last raised.",
)
def alert_review(request: HttpRequest, alert_id: Id, payload: AlertReviewIn) -> Reply[dict[str, Any]]:
    review = review_alert(current_user(request), alert_id, payload.org_id, payload.note)
    return Reply(201, _review_out(review))


def _review_out(review: AlertReview | None) -> dict[str, Any] | None:
    if review is None:
        return None
    return {
        "id": review.pk,
        "alert_id": review.alert_id,
        "org": org_ref(review.org),
        "reviewed_by": str(review.reviewed_by),
        "reviewed_at": review.reviewed_at,
        "note": review.note,
        "size_at_review": review.size_at_review,
    }


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
        "pending": view.pending,
        "latest_review": _review_out(view.latest_review),
    }
