"""The 审核 page: the requests waiting for the user's decision, and the outcome of their own.

The reads are `approvals_pending` and `my_requests` (xinfang.cases.selectors); a decision is
taken on the case page (`actions.case_act`, the approve / return forms), so the approver reads the
petition text, the clocks and the draft before deciding.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.cases.clocks import case_clocks
from xinfang.cases.presentation import CLOCK_LABELS
from xinfang.cases.selectors import approvals_pending, my_requests
from xinfang.deadlines.clocks import OPEN_STATES
from xinfang.orgs.models import User
from xinfang.workbench.cases import staff_required


@staff_required
def approval_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    rows = []
    for item in approvals_pending(user):
        # The duty clock due first: what the request waits against (the clocks keep running).
        clocks = case_clocks(item.case)
        clock = next((c for c in clocks if c.kind == "duty" and c.state in OPEN_STATES and c.due_on), None)
        due = {"label": CLOCK_LABELS.get(clock.name, clock.name), "on": clock.due_on} if clock else None
        rows.append({"item": item, "due": due})
    return render(request, "workbench/approvals/list.html", {"rows": rows, "mine": my_requests(user)})
