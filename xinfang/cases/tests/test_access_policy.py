"""The one access policy, checked against a plain statement of the rules over random worlds."""

from __future__ import annotations

import datetime as dt
from unittest.mock import patch

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinfang.cases import selectors
from xinfang.cases.access import refresh_case_access
from xinfang.cases.models import Case, CaseEvent, CaseUnit, ContentCategory
from xinfang.cases.selectors import cases_held_by, cases_visible_to, sees_case
from xinfang.cases.tests.helpers import register, to_delivered
from xinfang.core.timeutil import now
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Level, Org, OrgKind, Region, Role
from xinfang.testing.world import World

KINDS = [OrgKind.PETITION_BUREAU, OrgKind.FUNCTIONAL, OrgKind.PARTY_GOVERNMENT, OrgKind.DISCIPLINE]
NATURES = ["suggestion", "accusation", "appeal"]

# A random world: organisations with a parent chosen among the earlier ones, each in one of the
# fixed regions; cases with random registering, lead, assisting, reviewing and accused organs.
org_specs = st.lists(
    st.tuples(st.integers(0, 10), st.integers(0, 4), st.sampled_from(KINDS)), min_size=2, max_size=7
)
case_specs = st.lists(
    st.fixed_dictionaries(
        {
            "registered": st.integers(0, 10),
            "lead": st.integers(0, 10),
            "assist": st.lists(st.integers(0, 10), max_size=2),
            "review": st.none() | st.integers(0, 10),
            "region": st.integers(0, 4),
            "nature": st.sampled_from(NATURES),
            "accused": st.none() | st.integers(0, 10),
        }
    ),
    min_size=1,
    max_size=6,
)


def _regions() -> list[Region]:
    nation = org_services.region_create(code="000000", name="全国", level=Level.NATIONAL)
    province = org_services.region_create(code="990000", name="省", level=Level.PROVINCE, parent=nation)
    city = org_services.region_create(code="990100", name="市", level=Level.CITY, parent=province)
    county = org_services.region_create(code="990121", name="县", level=Level.COUNTY, parent=city)
    other = org_services.region_create(code="990122", name="另县", level=Level.COUNTY, parent=city)
    return [province, city, county, other, nation]


def _under(region: Region, ancestor: Region) -> bool:
    return region.path.startswith(ancestor.path)


def _rule_says_visible(org: Org, case: Case, units: set[int], reviewers: set[int]) -> bool:
    """The policy in plain words (see cases_visible_to's docstring)."""
    if case.nature == "accusation" and case.accused_org_id == org.pk:
        return False
    involved = {case.registered_org_id, case.current_org_id, case.review_org_id} | units | reviewers
    if org.pk in involved:
        return True
    if org.kind == OrgKind.PARTY_GOVERNMENT:
        below = Org.objects.filter(path__startswith=org.path).values_list("pk", flat=True)
        if case.registered_org_id in below or units & set(below):
            return True
    if org.kind == OrgKind.PETITION_BUREAU:
        places = [case.problem_region, case.registered_org.region, case.current_org.region]
        return any(_under(place, org.region) for place in places)
    return False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orgs=org_specs, cases=case_specs)
def test_the_policy_matches_its_rules_on_random_organisation_trees(db: None, orgs: list, cases: list) -> None:
    savepoint = transaction.savepoint()
    try:
        _check_world(orgs, cases)
    finally:
        transaction.savepoint_rollback(savepoint)


def _check_world(org_spec: list, case_spec: list) -> None:
    regions = _regions()
    orgs: list[Org] = []
    users = []
    for index, (parent_pick, region_pick, kind) in enumerate(org_spec):
        parent = orgs[parent_pick % len(orgs)] if orgs and parent_pick < 8 else None
        org = org_services.org_create(
            name=f"机构{index}", region=regions[region_pick], kind=kind, parent=parent
        )
        orgs.append(org)
        user = org_services.staff_user_create(
            username=f"u{index}", full_name=f"人员{index}", password="Policy-Pass-2026"
        )
        org_services.membership_grant(user=user, org=org, role=Role.HANDLER)
        users.append(user)
    category = ContentCategory.objects.get(code="990000")
    created = []
    for index, spec in enumerate(case_spec):
        pick = lambda i: orgs[i % len(orgs)]  # noqa: E731
        case = Case.objects.create(
            number=f"P{index}",
            query_code=f"Q{index}",
            channel="letter",
            nature=spec["nature"],
            category=category,
            subject="s",
            content="c",
            problem_region=regions[spec["region"]],
            received_on=dt.date(2025, 1, 1),
            registered_at=now(),
            registered_by=users[0],
            registered_org=pick(spec["registered"]),
            registered_level="city",
            status="routed",
            current_org=pick(spec["lead"]),
            review_org=pick(spec["review"]) if spec["review"] is not None else None,
            accused_org=pick(spec["accused"])
            if spec["accused"] is not None and spec["nature"] == "accusation"
            else None,
            updated_at=now(),
        )
        CaseUnit.objects.create(case=case, org=case.current_org, role="lead", since=now())
        for i in spec["assist"]:
            CaseUnit.objects.create(case=case, org=pick(i), role="assist", since=now())
        # Written around the services, so the policy's rows are built as the data migration does.
        refresh_case_access(case)
        created.append(case)
    for org, user in zip(orgs, users, strict=True):
        seen = set(cases_visible_to(user).values_list("pk", flat=True))
        # The same answer from every form of the policy: listing the visible ids (a narrow user),
        # probing each case (a bureau-wide user) and the per-row condition of warnings and 督办.
        with patch.object(selectors, "WIDE_ROWS", 1):
            assert set(cases_visible_to(user).values_list("pk", flat=True)) == seen
        assert set(Case.objects.filter(sees_case(user)).values_list("pk", flat=True)) == seen
        # What the homes' queues read: the cases an organ holds, for its members and for others.
        for holder in orgs:
            held = set(cases_held_by(user, holder).values_list("pk", flat=True))
            assert held == set(
                Case.objects.filter(pk__in=seen, current_org=holder).values_list("pk", flat=True)
            )
        for case in created:
            units = set(CaseUnit.objects.filter(case=case).values_list("org_id", flat=True))
            reviewers = set(
                CaseEvent.objects.filter(
                    case=case, kind__in=["review_requested", "rereview_requested"]
                ).values_list("org_id", flat=True)
            )
            expected = _rule_says_visible(org, case, units, reviewers)
            assert (case.pk in seen) == expected, (
                org.name,
                org.kind,
                org.region.path,
                case.number,
                case.problem_region.path,
                case.registered_org.name,
                case.current_org.name,
                sorted(seen),
                [(c.pk, c.number) for c in created],
            )


def test_personas_see_what_their_posts_allow(world: World) -> None:
    case = to_delivered(world, register(world, citizen=world.citizen))
    assert case in cases_visible_to(world.registrar)
    assert case in cases_visible_to(world.handler)
    assert case in cases_visible_to(world.bureau_head)
    assert case in cases_visible_to(world.citizen)
    assert case not in cases_visible_to(world.other_clerk)


def test_a_county_bureau_sees_matters_about_its_county_but_not_the_neighbours(world: World) -> None:
    clerk = org_services.staff_user_create(
        username="qs", full_name="青山县登记员", password="Policy-Pass-2026"
    )
    org_services.membership_grant(user=clerk, org=world.county_bureau, role=Role.REGISTRAR)
    about_county = register(world, problem_region=world.town)
    about_other = register(world, problem_region=world.other_county)
    seen = set(cases_visible_to(clerk))
    assert about_county in seen and about_other not in seen


def test_the_accused_unit_never_sees_the_accusation_even_when_involved(world: World) -> None:
    case = register(world, nature="accusation", accused_org=world.city_housing)
    CaseUnit.objects.create(case=case, org=world.city_housing, role="assist", since=now())
    refresh_case_access(case)  # the unit was added around the services
    assert case not in cases_visible_to(world.handler)
    assert case in cases_visible_to(world.registrar)
    leader_accused = register(world, nature="accusation", accused_org=world.city_gov)
    assert leader_accused not in cases_visible_to(world.leader)


def test_a_citizen_sees_only_their_own(world: World) -> None:
    mine = register(world, citizen=world.citizen)
    register(world)
    assert list(cases_visible_to(world.citizen)) == [mine]


def test_an_inactive_or_anonymous_user_sees_nothing(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    register(world)
    assert not cases_visible_to(AnonymousUser()).exists()  # type: ignore[arg-type]
    world.registrar.is_active = False
    assert not cases_visible_to(world.registrar).exists()
