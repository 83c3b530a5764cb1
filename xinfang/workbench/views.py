from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.orgs.selectors import user_memberships
from xinfang.workbench.forms import StaffLoginForm


class LoginView(auth_views.LoginView):
    template_name = "workbench/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(user_memberships(request.user))  # type: ignore[arg-type]
    return render(request, "workbench/home.html", {"memberships": memberships})
