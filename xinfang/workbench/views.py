from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.orgs.models import Role
from xinfang.orgs.selectors import user_memberships
from xinfang.textintel.db.alerts import pending_alerts_for
from xinfang.workbench.forms import StaffLoginForm
from xinfang.workbench.queues import home_sections
from xinfang.workbench.templatetags.menu_tags import ALERTS


class LoginView(auth_views.LoginView):
    template_name = "workbench/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True


HOME_ALERTS = 5  # the newest pending alerts on the card; the rest are on the 类案预警 page


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's to-do list (工作台): the queues of every role the user holds, organ by organ."""
    user = request.user
    memberships = list(user_memberships(user))  # type: ignore[arg-type]
    held = {m.role for m in memberships}
    context: dict[str, Any] = {"memberships": memberships, "held_roles": held}
    if not user.is_citizen:  # type: ignore[union-attr]
        context["sections"] = home_sections(user, memberships)  # type: ignore[arg-type]
        context["total"] = sum(q.count for s in context["sections"] for q in s.queues)
        if held & ALERTS:
            pending = pending_alerts_for(user)  # type: ignore[arg-type]
            context["alert_card"] = {"count": len(pending), "newest": pending[:HOME_ALERTS]}
        context["is_bureau_head"] = Role.BUREAU_HEAD in held
    return render(request, "workbench/home.html", context)
