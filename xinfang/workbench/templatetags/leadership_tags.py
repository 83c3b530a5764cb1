"""The 领导工作 panel of the case page: ``{% leadership_panel case %}``.

What the leaders' mechanisms hold about the case, each read through its selectors (the access
policy): the 包案 and its leader, the reception days it was brought to, its hearings, appointments,
visits down and consultations; and the links that start one, for those who may.
"""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.cases.models import Case
from xinfang.leadership.selectors.campaigns import case_campaign_items
from xinfang.leadership.selectors.consultations import case_consultations
from xinfang.leadership.selectors.hearings import case_hearings
from xinfang.leadership.selectors.ownership import case_ownership
from xinfang.leadership.selectors.reception import case_reception_visits
from xinfang.leadership.selectors.visits import case_visits

register = template.Library()


@register.inclusion_tag("workbench/leadership/_case_panel.html", takes_context=True)
def leadership_panel(context: template.Context, case: Case) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return {"case": case}
    return {
        "case": case,
        "ownership": case_ownership(user, case),
        "reception_visits": list(case_reception_visits(user, case)),
        "visits": case_visits(user, case),
        "consultations": list(case_consultations(user, case)),
        "hearings": list(case_hearings(user, case).order_by("-created_at", "-pk")),
        "campaign_items": list(case_campaign_items(user, case)),
    }
