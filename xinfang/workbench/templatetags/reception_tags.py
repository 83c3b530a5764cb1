"""The 接访大厅与基层 panel of the case page: ``{% reception_panel case %}``.

What the hall and the grass roots hold about the case (the page itself is behind the one access
policy): the number and 诉求单 it was registered from, its joint receptions with the lead and
assisting units, the lawyers' consultations on it, the legal route it was guided into, and the
grass-roots point that escalated it with its mediations. Nothing is shown when there is none.
"""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.cases.models import Case
from xinfang.reception.models import JointReception, LawyerConsultation, LegalGuidance, Talk, Ticket

register = template.Library()


@register.inclusion_tag("workbench/reception/_case_panel.html")
def reception_panel(case: Case) -> dict[str, Any]:
    ticket = Ticket.objects.filter(case=case).select_related("hall").first()
    joints = list(
        JointReception.objects.filter(case=case)
        .select_related("hall", "lead_org")
        .prefetch_related("units__org")
        .order_by("-convened_at")
    )
    consultations = list(
        LawyerConsultation.objects.filter(case=case).select_related("lawyer", "hall").order_by("-at")
    )
    guidance = LegalGuidance.objects.filter(case=case).first()
    talk = Talk.objects.filter(case=case).select_related("point").prefetch_related("mediations").first()
    return {
        "case": case,
        "ticket": ticket,
        "joints": joints,
        "consultations": consultations,
        "guidance": guidance,
        "talk": talk,
        "any": bool(ticket or joints or consultations or guidance or talk),
    }
