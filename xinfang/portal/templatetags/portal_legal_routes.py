"""The 写信 page's legal-route guide (法定途径清单, 《信访工作条例》第三十一条):
``{% portal_legal_route_guide form %}``: the guide by level-1 category, and the routes suggested for
the category (and words) the citizen has chosen, drawn from the form after a send so the page says
it without scripts; ``portal/legal_routes.js`` refreshes the suggestion from ``portal:legal-route-suggest``.

Only the guide's public text is shown: the route, the matters it covers, its legal basis and where
to go.
"""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.cases.models import ContentCategory
from xinfang.reception.selectors.routes import guide_by_category, suggest_routes_for
from xinfang.textintel.normalize import to_simplified

register = template.Library()

MAX_TEXT = 5000


def suggested_for(category: ContentCategory | None, text: str) -> list[Any]:
    if category is None:
        return []
    return suggest_routes_for(category=category, text=to_simplified((text or "")[:MAX_TEXT]))


def category_from(value: Any) -> ContentCategory | None:
    """The active category a form's value names: its id (the portal's select) or its code."""
    value = str(value or "").strip()[:12]
    if not value.isdigit():
        return None
    found = ContentCategory.objects.filter(is_active=True)
    if len(value) == 6:
        by_code = found.filter(code=value).first()
        if by_code is not None:
            return by_code
    return found.filter(pk=int(value)).first()


@register.inclusion_tag("portal/_legal_route_panel.html")
def portal_legal_route_guide(form: Any = None) -> dict[str, Any]:
    routes: list[Any] = []
    if form is not None and getattr(form, "is_bound", False):
        data = form.data
        text = f"{data.get('subject', '')} {data.get('content', '')}"
        routes = suggested_for(category_from(data.get("category")), text)
    return {"groups": guide_by_category(), "routes": routes}
