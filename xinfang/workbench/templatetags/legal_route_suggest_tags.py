"""The registration form's hint of a legal route (诉访分离, 《信访工作条例》第三十一条):
``{% legal_route_suggestion form %}``.

Drawn from what the form holds (after 查重 or a refused submission), so the hint is there without
scripts; ``workbench/legal_routes.js`` refreshes it from ``workbench:legal-route-suggest`` as the
clerk picks a category or types the title and content.
"""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.cases.models import ContentCategory
from xinfang.reception.selectors.routes import suggest_routes_for
from xinfang.textintel.normalize import to_simplified
from xinfang.workbench.reception_routes import MAX_TEXT

register = template.Library()


@register.inclusion_tag("workbench/reception/routes/_suggest_panel.html")
def legal_route_suggestion(form: Any) -> dict[str, Any]:
    routes: list[Any] = []
    data = getattr(form, "data", None) or {}
    code = str(data.get("category", "") or "").strip()[:6] if getattr(form, "is_bound", False) else ""
    if code.isdigit():
        category = ContentCategory.objects.filter(code=code).first()
        if category is not None:
            text = f"{data.get('subject', '')} {data.get('content', '')}"[:MAX_TEXT]
            routes = suggest_routes_for(category=category, text=to_simplified(text))
    return {"routes": routes}
