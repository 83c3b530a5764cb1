"""Responsible-unit suggestion at intake, learned from past routing (建议责任单位).

``suggest_unit(user, category_code, region_code)`` looks at the past cases visible to ``user``
(``cases_visible_to``, the one access policy) that share the level-1 category (the first two digits
of the category code) and the place: the problem region's county and everything under it when the
region is a county or lies below one, else the region itself. Of those, the newest ``MAX_CASES``
that were routed (a ``forwarded`` or ``assigned`` event) count once each for the unit they were last
routed to; a routing that the unit objected to (``objected`` after it, not routed again) does not
count, since the unit said the matter was not its remit. The top ``TOP`` units come back with how many
of the routed cases went to them and that share. Looking records nothing: it is only a suggestion
(what the clerk was shown is recorded with the registration, `case_register`'s `suggestion`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from xinfang.cases.models import CaseEvent
from xinfang.cases.selectors import cases_visible_to
from xinfang.orgs.models import Level, Org, Region, User

TOP = 3
MAX_CASES = 1000  # newest similar cases looked at; routing habits change, old ones add little
ROUTING = ("forwarded", "assigned")


@dataclass(frozen=True)
class UnitSuggestion:
    org: Org
    count: int  # routed similar cases that went to this unit
    total: int  # routed similar cases looked at

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0

    def describe(self) -> str:
        return f"{self.org.name}（过去同类 {self.total} 件中 {self.count} 件）"

    def as_dict(self) -> dict[str, object]:
        return {
            "org_id": self.org.pk,
            "org_name": self.org.name,
            "count": self.count,
            "total": self.total,
            "share": round(self.share, 4),
            "text": self.describe(),
        }


def _county_of(region: Region) -> Region | None:
    node: Region | None = region
    while node is not None:
        if node.level == Level.COUNTY:
            return node
        if node.level != Level.TOWNSHIP:
            return None
        node = node.parent
    return None


def suggest_unit(user: User, category_code: str | None, region_code: str | None) -> list[UnitSuggestion]:
    """The units similar past cases were routed to, most frequent first (see the module docstring)."""
    top = (category_code or "").strip()[:2]
    if len(top) != 2 or not top.isdigit() or not region_code:
        return []
    region = Region.objects.filter(code=region_code.strip()).select_related("parent").first()
    if region is None:
        return []
    county = _county_of(region)
    cases = cases_visible_to(user).filter(category__code__startswith=top)
    if county is not None:
        cases = cases.filter(problem_region__path__startswith=county.path)
    else:
        cases = cases.filter(problem_region=region)
    routed_ids = list(
        cases.filter(Exists(CaseEvent.objects.filter(case=OuterRef("pk"), kind__in=ROUTING)))
        .order_by("-registered_at", "-id")
        .values_list("id", flat=True)[:MAX_CASES]
    )
    if not routed_ids:
        return []
    last: dict[int, int | None] = {}
    for case_id, kind, payload in (
        CaseEvent.objects.filter(case_id__in=routed_ids, kind__in=(*ROUTING, "objected"))
        .order_by("case_id", "seq")
        .values_list("case_id", "kind", "payload")
    ):
        to_org = payload.get("to_org") if isinstance(payload, dict) else None
        last[case_id] = to_org if kind in ROUTING and isinstance(to_org, int) else None
    counts = Counter(org_id for org_id in last.values() if org_id is not None)
    total = len(routed_ids)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    orgs = Org.objects.in_bulk([org_id for org_id, _ in ranked])
    return [UnitSuggestion(orgs[org_id], n, total) for org_id, n in ranked if org_id in orgs]
