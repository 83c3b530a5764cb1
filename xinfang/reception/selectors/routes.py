"""Reads of the legal-route guide (法定途径清单, 第三十一条) and of the matters guided into a legal route.

The guide itself is public (the portal shows it before a citizen writes); the matters guided are
read through the one access policy: a guidance row is shown only with a case the user may see."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from xinfang.cases.models import Case, ContentCategory
from xinfang.cases.selectors import cases_visible_to
from xinfang.cases.services.routing import LEGAL_CHANNELS
from xinfang.orgs.models import User
from xinfang.reception.models import LegalGuidance, LegalRoute
from xinfang.reception.route_guide import GuideLine, suggest_routes

__all__ = [
    "CategoryGuide",
    "GuidanceFigures",
    "active_routes",
    "guidances_visible_to",
    "guide_by_category",
    "guide_lines",
    "legal_guidance_figures",
    "level1_of",
    "suggest_routes_for",
    "suggested_for_case",
]

SUGGESTIONS = 3  # routes suggested to a clerk or a citizen at most


def active_routes() -> QuerySet[LegalRoute]:
    return LegalRoute.objects.filter(is_active=True).select_related("category", "category__parent")


def guide_lines(routes: Iterable[LegalRoute] | None = None) -> list[GuideLine]:
    """The active rows of the guide (or the rows given) as the pure matcher's lines."""
    return [
        GuideLine(
            route_id=route.pk,
            category_code=route.category.code if route.category else "",
            keywords=tuple(route.keyword_list),
            order=route.order,
        )
        for route in (active_routes() if routes is None else routes)
    ]


def _code_of(category: ContentCategory | str | None) -> str:
    if category is None:
        return ""
    return category if isinstance(category, str) else category.code


def suggest_routes_for(
    *, category: ContentCategory | str | None, text: str, limit: int = SUGGESTIONS
) -> list[LegalRoute]:
    """The active guide lines that fit a matter of ``category`` (a category or its code) whose
    title and content are ``text``, best first, at most ``limit``; a route named twice (a
    category's own line and a line for every category) is suggested once."""
    if limit <= 0:
        return []
    routes = {route.pk: route for route in active_routes()}
    lines = guide_lines(routes.values())
    found: list[LegalRoute] = []
    names: set[str] = set()
    for route_id in suggest_routes(lines, category_code=_code_of(category), text=text, limit=len(lines)):
        route = routes[route_id]
        if route.name in names:
            continue
        names.add(route.name)
        found.append(route)
        if len(found) >= limit:
            break
    return found


def case_text(case: Case) -> str:
    return f"{case.subject}\n{case.content}"


def suggested_for_case(case: Case, *, limit: int = SUGGESTIONS) -> list[LegalRoute]:
    """The routes the guide suggests for a registered case (its category, title and content)."""
    return suggest_routes_for(category=case.category, text=case_text(case), limit=limit)


def level1_of(category: ContentCategory | None) -> ContentCategory | None:
    """The level-1 class a category belongs to (itself for a level-1 one)."""
    seen = 0
    while category is not None and category.parent_id is not None and seen < 8:
        category = category.parent
        seen += 1
    return category


@dataclass
class CategoryGuide:
    """One level-1 class of the guide: its own lines, then those of its level-2 classes."""

    category: ContentCategory | None  # None: the lines for every category
    routes: list[LegalRoute] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.category.code if self.category else ""

    @property
    def name(self) -> str:
        return self.category.name if self.category else "各类事项通用"


def guide_by_category(*, include_inactive: bool = False) -> list[CategoryGuide]:
    """The guide for a listing: one entry per level-1 category that has lines, in code order, with
    the lines of its level-2 classes under it; the lines for every category last."""
    rows = LegalRoute.objects.select_related("category", "category__parent", "category__parent__parent")
    if not include_inactive:
        rows = rows.filter(is_active=True)
    groups: dict[str, CategoryGuide] = {}
    general = CategoryGuide(category=None)
    for route in rows.order_by("category__code", "order", "pk"):
        top = level1_of(route.category)
        if top is None:
            general.routes.append(route)
            continue
        groups.setdefault(top.code, CategoryGuide(category=top)).routes.append(route)
    ordered = [groups[code] for code in sorted(groups)]
    for group in ordered:
        # the class's own lines first, then its level-2 classes in code order (the query's order)
        group.routes.sort(
            key=lambda r: (r.category.level if r.category else 0, r.category.code if r.category else "")
        )
    if general.routes:
        ordered.append(general)
    return ordered


# ---------------------------------------------------------------- the matters guided


def guidances_visible_to(user: User) -> QuerySet[LegalGuidance]:
    """The matters guided into a legal route whose case the user may see (the one access policy)."""
    return LegalGuidance.objects.filter(case__in=cases_visible_to(user).values("pk")).select_related(
        "case", "route", "category", "category__parent", "org", "by"
    )


@dataclass
class GuidanceFigures:
    total: int
    suggested: int  # the route the guide suggested was taken
    by_category: list[tuple[str, str, int]]  # (level-1 code, name, count), largest first
    by_route: list[tuple[str, str, int]]  # (route name, channel label, count), largest first

    @property
    def suggested_share(self) -> str:
        return f"{self.suggested * 100 / self.total:.1f}%" if self.total else "—"


def legal_guidance_figures(queryset: QuerySet[LegalGuidance]) -> GuidanceFigures:
    """Matters guided into legal routes (导入法定途径) per level-1 category and per route."""
    rows = list(queryset.values_list("category_id", "route_name", "channel", "suggested"))
    categories = {c.pk: c for c in ContentCategory.objects.select_related("parent", "parent__parent")}
    per_category: Counter[str] = Counter()
    names: dict[str, str] = {}
    per_route: Counter[tuple[str, str]] = Counter()
    for category_id, route_name, channel, _ in rows:
        top = level1_of(categories.get(category_id))
        code = top.code if top else ""
        names[code] = top.name if top else "未分类"
        per_category[code] += 1
        per_route[(route_name, LEGAL_CHANNELS.get(channel, channel))] += 1
    return GuidanceFigures(
        total=len(rows),
        suggested=sum(1 for *_, suggested in rows if suggested),
        by_category=[
            (code, names[code], n) for code, n in sorted(per_category.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        by_route=[
            (name, channel, n)
            for (name, channel), n in sorted(per_route.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    )
