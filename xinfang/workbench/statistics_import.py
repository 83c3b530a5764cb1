"""The import of existing records on the workbench (/statistics/import/), for a 统计员 or 系统管理员.

The back office admits only a 系统管理员 (is_staff follows that role alone, xinfang.orgs.services),
so a 统计员 imports here: the same flow as the back office's (`xinfang.statistics.upload`: upload,
preview of the first rows and of every error, confirm), in the workbench's pages. Anyone else is
refused with a 403 that says who may import.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from xinfang.orgs.models import Role, User
from xinfang.orgs.selectors import user_memberships
from xinfang.statistics import upload
from xinfang.workbench.cases import staff_required

IMPORT_ROLES = (Role.STATS_VIEWER, Role.ADMIN)
REFUSED = "只有统计员或系统管理员可以导入原有信访记录。"


def may_import(user: User) -> bool:
    """A 统计员 or 系统管理员 of any organ (the import is the installation's, not one organ's)."""
    return user_memberships(user).filter(role__in=IMPORT_ROLES).exists()


@staff_required
def import_page(request: HttpRequest) -> HttpResponse:
    if not may_import(request.user):  # type: ignore[arg-type]
        return render(request, "workbench/forbidden.html", {"message": REFUSED}, status=403)
    step = upload.handle(request.method or "GET", request.POST, request.FILES)
    if step.error:
        messages.error(request, step.error)
        return redirect("workbench:statistics-import")
    return render(request, f"workbench/statistics/import_{step.template}.html", step.context)
