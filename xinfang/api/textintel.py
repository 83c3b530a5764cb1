"""Text analysis at intake: duplicate / repeat suggestions and a category suggestion (no save)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from xinfang.api.auth import current_user
from xinfang.api.errors import ERROR_RESPONSES
from xinfang.api.schemas import LongText, PetitionerIn, ShortText
from xinfang.textintel.intake import PersonIn, find_similar, suggest_category

router = Router(tags=["textintel"])


class SimilarIn(Schema):
    subject: ShortText = ""
    content: LongText = ""
    problem_region_code: str | None = Field(None, pattern=r"^[0-9]{6,12}$", description="问题属地的区划代码")
    petitioners: list[PetitionerIn] = Field(default_factory=list, max_length=100)


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


class SimilarOut(Schema):
    suggestions: list[SuggestionOut]
    category: CategorySuggestionOut | None = None


@router.post(
    "/cases/similar",
    response={200: SimilarOut, **ERROR_RESPONSES},
    summary="查重与分类建议",
    description="Earlier cases visible to the caller that the text repeats (重复信访) or joins (同一事项), "
    "and the classifier's category suggestion when a model is installed. Nothing is saved.",
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
    return {
        "suggestions": [s.as_dict() for s in found],
        "category": None
        if category is None
        else {
            "suggested_category": category.label,
            "best_guess": category.best_guess,
            "confidence": round(category.confidence, 4),
            "text": category.describe(),
        },
    }
