"""The 短信通知 panel of the case page: ``{% petitioner_messages_panel case %}``.

An inclusion tag, like the 督办 panel, so the case page's view needs nothing extra: the messages
come through `notifications.petitioners.messages_for_case`, which applies the access policy, and
the addresses are shown masked.
"""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.cases.models import Case
from xinfang.notifications.petitioners import messages_for_case

register = template.Library()


@register.inclusion_tag("workbench/cases/_petitioner_messages_panel.html", takes_context=True)
def petitioner_messages_panel(context: template.Context, case: Case) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return {"petitioner_messages": []}
    return {"petitioner_messages": list(messages_for_case(user, case))}
