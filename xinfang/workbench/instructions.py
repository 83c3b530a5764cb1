"""The 领导批示 page: what waits for the user's 批示, the follow-up of their instructions, the
instructions their units are to carry out, and what they sent to leaders.

The reads are the selectors of `xinfang.cases.selectors` (through the access policy); every step
is taken on the case page (`actions.case_act`), with the petition in view.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.cases.selectors import (
    instructions_followed,
    instructions_sent_by,
    instructions_to_carry_out,
    instructions_to_read,
)
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import User
from xinfang.workbench.cases import staff_required

ROWS = 200  # per list; the home's queues show the first few


@staff_required
def instruction_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    today = local_date()
    lists = [
        ("to-read", "待阅批", "没有待您阅批的信访件。", instructions_to_read(user)),
        ("followed", "批示跟踪", "您的批示均已报告落实情况。", instructions_followed(user)),
        ("to-carry-out", "领导批示待落实", "本单位没有待落实的领导批示。", instructions_to_carry_out(user)),
        ("sent", "我呈批的", "您没有呈送领导阅批的信访件。", instructions_sent_by(user)),
    ]
    sections = []
    for key, title, empty, rows in lists:
        items = list(rows[:ROWS])
        for item in items:
            item.overdue = item.state == "instructed" and item.due_on is not None and item.due_on < today
        sections.append({"key": key, "title": title, "empty": empty, "items": items})
    return render(request, "workbench/instructions/list.html", {"sections": sections})
