"""The hub of the reception hall and the grass roots (接访大厅与基层化解): one card per area."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.workbench.cases import staff_required


@staff_required
def reception_home(request: HttpRequest) -> HttpResponse:
    return render(request, "workbench/reception/home.html", {})
