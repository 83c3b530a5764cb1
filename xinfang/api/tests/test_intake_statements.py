"""What one intake costs the database: a fixed, small number of statements in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.api.tests.conftest import Api, errors_by_field, intake_body
from xinfang.cases.models import Case, ContentCategory
from xinfang.orgs.models import User
from xinfang.testing.world import World
from xinfang.textintel.db.intake import find_similar
from xinfang.textintel.models import CaseTextSignature

ApiAs = Callable[[User], Api]

# A warm process, two petitioners: the token; the role check; the Idempotency-Key; the query
# code's uniqueness; the case, its lead unit, its petitioners (one INSERT for all); the event
# chain's last link and the event; the projection; the access policy's rows (one read of who
# takes part, one INSERT); the case's report facts (one INSERT, so that reports never read the
# event log); the duplicate index (one INSERT); the key.
STATEMENT_BUDGET = 15


def _statements(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]


def _two_petitioners(world: World, n: int) -> dict[str, Any]:
    return intake_body(
        world,
        subject=f"小区住房质量问题（第 {n} 件）",
        headcount=2,
        petitioners=[{"name": f"张{n}", "phone": f"138{n:08d}"}, {"name": f"李{n}"}],
    )


def test_an_intake_takes_a_fixed_small_number_of_statements(
    world: World, api_as: ApiAs, settings: Any
) -> None:
    settings.XINFANG_DEADLINE_RECHECK_SECONDS = 30  # as deployed: the calendar is read once a while
    api = api_as(world.registrar)
    assert api.post("/cases", _two_petitioners(world, 1), **{"Idempotency-Key": "warm"}).status_code == 201
    with CaptureQueriesContext(connection) as captured:
        response = api.post("/cases", _two_petitioners(world, 2), **{"Idempotency-Key": "counted"})
    assert response.status_code == 201
    statements = _statements(captured)
    assert len(statements) <= STATEMENT_BUDGET, "\n".join(statements)
    # the organ, category and region named by the request come from the per-process cache
    assert not [s for s in statements if s.startswith("SELECT") and ("orgs_region" in s.split("WHERE")[0])]
    assert not [s for s in statements if s.startswith('SELECT "cases_contentcategory"')]
    assert sum(s.startswith('INSERT INTO "cases_petitioner"') for s in statements) == 1


def test_a_category_saved_as_inactive_is_refused_at_once_despite_the_cache(
    world: World, api_as: ApiAs
) -> None:
    api = api_as(world.registrar)
    assert api.post("/cases", intake_body(world)).status_code == 201  # the category is cached now
    category = ContentCategory.objects.get(code="030100")
    category.is_active = False
    category.save()
    response = api.post("/cases", intake_body(world))
    assert response.status_code == 400
    assert "已停用" in errors_by_field(response)["category_code"]["message"]
    assert Case.objects.count() == 1


def test_the_duplicate_index_is_written_with_the_case(world: World, api_as: ApiAs) -> None:
    # No on-commit hook runs inside a test's transaction: the index must not depend on one.
    response = api_as(world.registrar).post("/cases", intake_body(world))
    assert response.status_code == 201
    assert CaseTextSignature.objects.filter(case_id=response.json()["id"]).count() == 32
    body = intake_body(world)
    found = find_similar(world.registrar, body["subject"], body["content"])
    assert [s.case_id for s in found] == [response.json()["id"]]
