"""The navigation's count of 类案预警 待研判: ``{% pending_alert_badge %}``.

A tag rather than a context processor, so the count is only computed where the staff navigation is
drawn, never for the admin, the API or a citizen's page.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from xinfang.textintel.db.alerts import pending_alert_count

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_alert_badge(context: template.Context) -> str:
    user = context.get("user")
    # anonymous users and citizens get nothing, without a query
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "is_citizen", True):
        return ""
    card = context.get("alert_card")  # the home page has already listed the pending alerts
    count = card["count"] if card is not None else pending_alert_count(user)
    if not count:
        return ""
    return format_html('<span class="nav-count" title="{} 条类案预警待研判">{}</span>', count, count)
