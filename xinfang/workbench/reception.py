"""The hub of the reception hall and the grass roots (接访大厅与基层化解): one card per area with
what it holds for the user, and a link to its list."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.core.timeutil import local_date
from xinfang.orgs.models import User
from xinfang.orgs.selectors import user_orgs
from xinfang.reception.models import Talk, TalkStatus, Ticket, TicketStatus
from xinfang.reception.selectors import halls_visible_to, points_visible_to
from xinfang.workbench.cases import staff_required


@staff_required
def reception_home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    halls = list(halls_visible_to(user).filter(is_active=True))
    points = points_visible_to(user)
    context = {
        "halls": halls,
        "waiting": Ticket.objects.filter(
            hall__in=halls, day=local_date(), status=TicketStatus.WAITING
        ).count(),
        "points": points.count(),
        "open_talks": Talk.objects.filter(
            point__in=points, status__in=(TalkStatus.OPEN, TalkStatus.MEDIATING)
        ).count(),
        # Matters the user's organs received from a point and have not yet registered.
        "escalated": Talk.objects.filter(
            status=TalkStatus.ESCALATED, case__isnull=True, escalated_to__in=user_orgs(user)
        ).count(),
    }
    return render(request, "workbench/reception/home.html", context)
