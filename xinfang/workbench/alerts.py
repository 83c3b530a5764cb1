"""The 类案预警 page: the clusters of similar recent cases the daily job raised, as the user may see them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.orgs.models import User
from xinfang.textintel.alerts import alerts_for, window_days
from xinfang.workbench.cases import staff_required


@staff_required
def alert_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "workbench/alerts/list.html",
        {"alerts": alerts_for(user), "window_days": window_days()},
    )
