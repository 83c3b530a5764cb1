"""The 消息提醒 page: a user's own notices, newest first; mark one or all read (POST)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from xinfang.notifications import services
from xinfang.workbench.cases import staff_required

PER_PAGE = 30


@staff_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(services.notifications_for(request.user), PER_PAGE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    return render(request, "workbench/notifications/list.html", {"page": page})


@staff_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one notice read, then follow its link (or back to the list)."""
    services.mark_read(request.user, notification_id)  # type: ignore[arg-type]
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("workbench:notification-list")


@staff_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(request.user)  # type: ignore[arg-type]
    return redirect("workbench:notification-list")
