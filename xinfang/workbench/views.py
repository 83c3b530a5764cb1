from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.orgs.selectors import user_memberships
from xinfang.textintel.db.alerts import pending_alerts_for
from xinfang.workbench.forms import StaffLoginForm


class LoginView(auth_views.LoginView):
    template_name = "workbench/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True


HOME_ALERTS = 5  # the newest pending alerts on the card; the rest are on the 类案预警 page


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    memberships = list(user_memberships(user))  # type: ignore[arg-type]
    context: dict[str, Any] = {"memberships": memberships}
    if not user.is_citizen:  # type: ignore[union-attr]
        pending = pending_alerts_for(user)  # type: ignore[arg-type]
        context["alert_card"] = {"count": len(pending), "newest": pending[:HOME_ALERTS]}
    return render(request, "workbench/home.html", context)
