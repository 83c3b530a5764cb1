"""The rows of `CaseAccess`: who takes part in a case, as the access policy reads it.

`access_rows` states which organs and which region a case involves; `refresh_case_access` rewrites
one case's rows inside the transaction of the change (called by `services._core.project`, which every
workflow action runs); `rebuild_access` fills them for many cases at once (the data migration, bulk
imports and the benchmarks).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Value

# Events whose organ reviews the case (复查/复核机关, 第三十五、三十六条) and so sees it from then on.
REVIEW_EVENT_KINDS = ("review_requested", "rereview_requested")

# (org_id, region_id, tree, area)
Row = tuple[int | None, int | None, bool, bool]


def access_rows(
    *,
    registered_org_id: int,
    current_org_id: int,
    review_org_id: int | None,
    problem_region_id: int,
    unit_org_ids: Iterable[int],
    reviewer_org_ids: Iterable[int | None],
) -> set[Row]:
    """The access rows of one case.

    ``tree``: the organ registered the case or handles or handled it (lead or assisting, now or
    before), so the governments above it see the case; ``area``: the organ registered it or is
    responsible for it now, so the petition bureaus over the organ's region see it. Every organ on a
    row sees the case itself, and the bureaus over the problem region see it through its row.
    """
    tree = {registered_org_id, *unit_org_ids}
    area = {registered_org_id, current_org_id}
    orgs = tree | area | {o for o in (review_org_id, *reviewer_org_ids) if o is not None}
    rows: set[Row] = {(org, None, org in tree, org in area) for org in orgs}
    rows.add((None, problem_region_id, False, False))
    return rows


def refresh_case_access(case: Any, *, first: bool = False, unit_org_ids: list[int] | None = None) -> None:
    """Bring one case's rows in line with the case, its units and its review requests.

    Two statements when nothing changed (read what there is and what should be), plus one delete
    and one bulk insert for what did change. ``first``: the case's first projection (registration),
    which has no rows yet to read; ``unit_org_ids``: with ``first``, the units the registration
    wrote (a new case has no review requests), so that nothing at all is read.
    """
    from xinfang.cases.models import CaseAccess, CaseEvent, CaseUnit

    if first and unit_org_ids is not None:
        _write_missing(case, set(), _wanted(case, list(unit_org_ids), []))
        return
    involved = (
        CaseUnit.objects.filter(case_id=case.pk)
        .order_by()
        .values_list("org_id", Value("unit"))
        .union(
            CaseEvent.objects.filter(case_id=case.pk, kind__in=REVIEW_EVENT_KINDS, org__isnull=False)
            .order_by()
            .values_list("org_id", Value("review")),
            all=True,
        )
    )
    units: list[int] = []
    reviewers: list[int] = []
    for org_id, why in involved:
        (units if why == "unit" else reviewers).append(org_id)
    wanted = _wanted(case, units, reviewers)
    have: dict[Row, int] = {}
    if not first:
        have = {
            (org, region, tree, area): pk
            for pk, org, region, tree, area in CaseAccess.objects.filter(case_id=case.pk).values_list(
                "pk", "org_id", "region_id", "tree", "area"
            )
        }
    stale = [pk for row, pk in have.items() if row not in wanted]
    if stale:
        CaseAccess.objects.filter(pk__in=stale).delete()
    _write_missing(case, set(have), wanted)


def _wanted(case: Any, units: list[int], reviewers: list[int]) -> set[Row]:
    return access_rows(
        registered_org_id=case.registered_org_id,
        current_org_id=case.current_org_id,
        review_org_id=case.review_org_id,
        problem_region_id=case.problem_region_id,
        unit_org_ids=units,
        reviewer_org_ids=reviewers,
    )


def _write_missing(case: Any, have: set[Row], wanted: set[Row]) -> None:
    from xinfang.cases.models import CaseAccess

    missing = [row for row in wanted if row not in have]
    if missing:
        CaseAccess.objects.bulk_create(
            [
                CaseAccess(case_id=case.pk, org_id=org, region_id=region, tree=tree, area=area)
                for org, region, tree, area in missing
            ]
        )


def rebuild_access(
    *,
    case_model: Any,
    unit_model: Any,
    event_model: Any,
    access_model: Any,
    case_ids: list[int] | None = None,
    chunk: int = 5000,
) -> int:
    """Rewrite the rows of ``case_ids`` (default: every case) in chunks; returns the rows written.

    Takes the model classes so that the data migration can pass its historical ones.
    """
    cases = case_model.objects.order_by("pk")
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    fields = ("pk", "registered_org_id", "current_org_id", "review_org_id", "problem_region_id")
    written = 0
    last = 0
    while True:
        batch = list(cases.filter(pk__gt=last).values_list(*fields)[:chunk])
        if not batch:
            return written
        ids = [row[0] for row in batch]
        last = ids[-1]
        units: dict[int, list[int]] = {}
        for case_id, org_id in unit_model.objects.filter(case_id__in=ids).values_list("case_id", "org_id"):
            units.setdefault(case_id, []).append(org_id)
        reviewers: dict[int, list[int]] = {}
        for case_id, org_id in event_model.objects.filter(
            case_id__in=ids, kind__in=REVIEW_EVENT_KINDS, org__isnull=False
        ).values_list("case_id", "org_id"):
            reviewers.setdefault(case_id, []).append(org_id)
        access_model.objects.filter(case_id__in=ids).delete()
        rows = [
            access_model(case_id=case_id, org_id=org, region_id=region, tree=tree, area=area)
            for case_id, registered, current, review, region_id in batch
            for org, region, tree, area in access_rows(
                registered_org_id=registered,
                current_org_id=current,
                review_org_id=review,
                problem_region_id=region_id,
                unit_org_ids=units.get(case_id, ()),
                reviewer_org_ids=reviewers.get(case_id, ()),
            )
        ]
        access_model.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
