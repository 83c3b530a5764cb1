"""The hub of the leaders' work (领导工作, 《信访工作条例》第十八条): one card per mechanism with
what it holds for the user and a link to its list."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.core.timeutil import local_date, now
from xinfang.leadership.models import OwnershipState, ReceptionDayStatus
from xinfang.leadership.selectors.ownership import ownership_figures, ownerships_visible_to
from xinfang.leadership.selectors.reception import reception_days_visible_to
from xinfang.orgs.models import User
from xinfang.workbench.cases import staff_required


@staff_required
def leadership_home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ownerships = ownerships_visible_to(user)
    days = reception_days_visible_to(user)
    context = {
        "upcoming_days": days.filter(status=ReceptionDayStatus.SCHEDULED, ends_at__gte=now()).count(),
        "held_days": days.filter(status=ReceptionDayStatus.HELD, starts_at__year=local_date().year).count(),
        "running_ownerships": ownerships.exclude(state=OwnershipState.RESOLVED).count(),
        "ownership_figures": ownership_figures(ownerships),
    }
    return render(request, "workbench/leadership/home.html", context)
