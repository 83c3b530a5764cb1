"""The access policy's rows (`CaseAccess`): kept by the services, rebuilt alike, read by index."""

from __future__ import annotations

import pytest
from django.db import connection

from xinfang.cases import services
from xinfang.cases.access import rebuild_access
from xinfang.cases.models import Case, CaseAccess, CaseEvent, CaseUnit
from xinfang.cases.selectors import case_visible, cases_visible_to
from xinfang.cases.tests.helpers import a_reply, register, reply_approved
from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant, org_update
from xinfang.testing.world import World


def _rows(case: Case) -> set[tuple[int | None, int | None, bool, bool]]:
    return set(CaseAccess.objects.filter(case=case).values_list("org_id", "region_id", "tree", "area"))


def _rebuilt(case: Case) -> set[tuple[int | None, int | None, bool, bool]]:
    """What the data migration writes for the case as it stands."""
    kept = _rows(case)
    rebuild_access(
        case_model=Case,
        unit_model=CaseUnit,
        event_model=CaseEvent,
        access_model=CaseAccess,
        case_ids=[case.pk],
    )
    rebuilt = _rows(case)
    assert len(rebuilt) == CaseAccess.objects.filter(case=case).count()  # no duplicates
    return rebuilt if kept else set()


def test_every_workflow_step_keeps_the_rows_a_rebuild_would_write(world: World) -> None:
    case = register(world)  # written from what the registration knows, nothing read back
    assert _rows(case) == {
        (world.city_bureau.pk, None, True, True),
        (None, world.county.pk, False, False),
    }
    assert _rows(case) == _rebuilt(case)
    case = services.case_forward(
        actor=world.registrar, case=case, to_org=world.city_housing, assisting=[world.county_labour]
    )
    assert _rows(case) == {
        (world.city_bureau.pk, None, True, True),  # registered it: area and tree for good
        (world.city_housing.pk, None, True, True),  # responsible now
        (world.county_labour.pk, None, True, False),  # assists: its superiors see it
        (None, world.county.pk, False, False),
    }
    assert _rows(case) == _rebuilt(case)
    case = services.case_accept(actor=world.handler, case=case)
    case = reply_approved(actor=world.handler, case=case, reply=a_reply())
    case = services.case_deliver(actor=world.handler, case=case, method="in_person")
    case = services.case_review_request(actor=world.leader, case=case, reasons="对处理意见不服")
    assert (world.city_gov.pk, None, False, True) in _rows(case)  # the 复查 organ, responsible now
    assert _rows(case) == _rebuilt(case)
    case = services.case_review_decide(actor=world.leader, case=case, outcome="uphold", opinion="维持。")
    membership_grant(user=world.leader, org=world.province_gov, role=Role.LEADER)
    case = services.case_rereview_request(actor=world.leader, case=case, reasons="仍然不服")
    rows = _rows(case)
    # The city government asked for 复查 before: it keeps its row though no longer responsible.
    assert (world.city_gov.pk, None, False, False) in rows
    assert (world.province_gov.pk, None, False, True) in rows
    assert rows == _rebuilt(case)


def test_moving_an_organ_needs_no_rewrite_of_the_rows(world: World) -> None:
    """Rows hold ids only: an organ moved under another government is seen from its new place."""
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.county_labour)
    before = _rows(case)
    org_update(org=world.county_labour, parent=world.city_gov)
    assert _rows(case) == before
    membership_grant(user=world.leader, org=world.city_gov, role=Role.LEADER)
    assert case_visible(world.leader, case.pk).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own plan")
def test_the_policy_reads_the_access_index_not_every_case(world: World) -> None:
    """The narrow form lists visible ids from the index; one case is probed by its id."""
    register(world)
    sql, params = cases_visible_to(world.handler).query.sql_with_params()
    plan = _plan(sql, params)
    assert "case_access_org" in plan and "SCAN cases_case" not in plan
    sql, params = case_visible(world.bureau_head, 1).query.sql_with_params()
    plan = _plan(sql, params)
    assert "SCAN cases_case" not in plan and "SCAN W0" not in plan


def _plan(sql: str, params: tuple[object, ...]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())
