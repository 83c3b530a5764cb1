"""Reads of cases, all through one access policy: `cases_visible_to`.

Lists, detail pages, documents, exports, reports and the API start from this queryset, so a
permission rule lives in exactly one place.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from xinfang.cases.models import Case, CaseEvent, CaseUnit, Nature
from xinfang.orgs.models import Org, OrgKind, User
from xinfang.orgs.selectors import user_memberships


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The cases `user` may see.

    - a citizen: only the matters they submitted themselves;
    - staff: matters their organisation registered, leads or assists on (now or before), or
      reviews; a Party committee or government also sees what the organs below it in the
      organisation tree registered or handle (it is their 复查/复核 organ); a petition bureau also
      sees every matter about, registered in or handled in its region and the regions below it;
    - never, for anyone: an accusation (检举控告) against their own organisation, even when it is
      involved in the case (第三十条: accusation material is not passed to the accused). Other
      organs under the same government are separate organs and keep their ordinary view.
    """
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if user.is_citizen:
        return Case.objects.filter(citizen=user)
    orgs = list(Org.objects.filter(pk__in=user_memberships(user).values("org")).select_related("region"))
    if not orgs:
        return Case.objects.none()
    org_ids = [org.pk for org in orgs]
    handled = CaseUnit.objects.filter(case=OuterRef("pk"), org_id__in=org_ids)
    reviewed = CaseEvent.objects.filter(
        case=OuterRef("pk"), kind__in=["review_requested", "rereview_requested"], org_id__in=org_ids
    )
    visible = Q(registered_org_id__in=org_ids) | Q(current_org_id__in=org_ids) | Q(review_org_id__in=org_ids)
    visible |= Q(Exists(handled)) | Q(Exists(reviewed))
    for government in (org for org in orgs if org.kind == OrgKind.PARTY_GOVERNMENT):
        # A Party committee or government oversees the organs under it and is their 复查/复核 organ
        # (第三十五、三十六条), so it sees what they registered or handle.
        below = CaseUnit.objects.filter(case=OuterRef("pk"), org__path__startswith=government.path)
        visible |= Q(registered_org__path__startswith=government.path) | Q(Exists(below))
    for bureau in (org for org in orgs if org.is_petition_bureau):
        prefix = bureau.region.path
        visible |= (
            Q(problem_region__path__startswith=prefix)
            | Q(registered_org__region__path__startswith=prefix)
            | Q(current_org__region__path__startswith=prefix)
        )
    return Case.objects.filter(visible).exclude(Q(nature=Nature.ACCUSATION) & Q(accused_org_id__in=org_ids))


def case_detail(user: User, case_id: int) -> Case | None:
    return (
        cases_visible_to(user)
        .select_related(
            "category", "problem_region", "registered_org", "current_org", "review_org", "accused_org"
        )
        .filter(pk=case_id)
        .first()
    )


def case_events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor", "org").order_by("seq")
