"""The 期限预警与督办 panel of the case page: ``{% supervision_panel case %}``.

An inclusion tag, so the case page's view needs nothing extra: the panel reads the case's
warnings and 督办 through the selectors (the access policy) and decides whether to offer the
督办 form to the user looking at it.
"""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.cases.models import Case
from xinfang.supervision import selectors
from xinfang.workbench.supervision import SupervisionOpenForm, can_open

register = template.Library()


@register.inclusion_tag("workbench/supervision/_panel.html", takes_context=True)
def supervision_panel(context: template.Context, case: Case) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return {"case": case, "warnings": [], "supervisions": [], "form": None}
    bureaus = can_open(user, case)
    return {
        "case": case,
        "warnings": list(selectors.case_warnings(user, case)),
        "supervisions": list(selectors.case_supervisions(user, case)),
        "form": SupervisionOpenForm(bureaus=bureaus) if bureaus else None,
        "bureaus": bureaus,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
