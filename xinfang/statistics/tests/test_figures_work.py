"""The work figures of a report (timeliness, closure on time, reviews, declines, 督办, 类案预警), on a
small set of cases whose figures are worked out by hand.

Every case is registered by the city bureau (示例市信访局), the organisation reported on, over
2025-01-01..2025-06-30:

- F  received 01-02 but registered 01-06 (4 days later: 录入 not in time), forwarded to the housing
     bureau and accepted 01-07; never answered, so past its handling due day (in March) at the
     period end: 超期; a 督办 opened 01-08 with feedback due 01-20, which lapses (问责建议函);
- G  registered 02-03 and declined (不予受理) the same day: closed, first-time, resolved at once;
- H  registered 02-10, accepted 02-11, answered and delivered 02-20; 复查 requested 03-01 and
     upheld (维持) 03-10: an appealed first-time matter, not resolved at once;
- I  registered 03-03, accepted 03-04, answered and delivered 03-10, 终结 03-25 (the petitioner
     accepted the opinion): resolved at once.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from xinfang.cases import services
from xinfang.cases.models import Case, CaseFact
from xinfang.cases.tests.helpers import a_reply, register, reply_approved
from xinfang.core.timeutil import pinned_now
from xinfang.statistics.figure import Report
from xinfang.statistics.figures import compute_report, figure_cases
from xinfang.statistics.indicators import Comparison, Ratio
from xinfang.supervision.services import supervisions_mark_overdue
from xinfang.testing.clock import beijing
from xinfang.testing.supervision import open_supervision
from xinfang.testing.world import World
from xinfang.textintel.models import AlertReview, ClusterAlert

START, END = dt.date(2025, 1, 1), dt.date(2025, 6, 30)


def _accepted(world: World, case: Case) -> Case:
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    return services.case_accept(actor=world.handler, case=case)


def _delivered(world: World, case: Case) -> Case:
    case = reply_approved(actor=world.handler, case=case, reply=a_reply())
    return services.case_deliver(actor=world.handler, case=case, method="in_person")


class Cases:
    def __init__(self, world: World) -> None:
        with pinned_now(beijing("2025-01-06 09:00")):
            f = register(world, channel="letter", received_on=dt.date(2025, 1, 2))
            f = services.case_forward(actor=world.registrar, case=f, to_org=world.city_housing)
        with pinned_now(beijing("2025-01-07 09:00")):
            f = services.case_accept(actor=world.handler, case=f)
        with pinned_now(beijing("2025-01-08 09:00")):
            self.supervision = open_supervision(world, f, feedback_due=dt.date(2025, 1, 20))
        with pinned_now(beijing("2025-01-21 09:00")):
            supervisions_mark_overdue(today=dt.date(2025, 1, 21))
        with pinned_now(beijing("2025-02-03 09:00")):
            g = services.case_decline(
                actor=world.registrar, case=register(world), legal_channel="litigation", reasons="应诉讼"
            )
        with pinned_now(beijing("2025-02-10 09:00")):
            h = register(world)
        with pinned_now(beijing("2025-02-11 09:00")):
            h = _accepted(world, h)
        with pinned_now(beijing("2025-02-20 09:00")):
            h = _delivered(world, h)
        with pinned_now(beijing("2025-03-01 09:00")):
            h = services.case_review_request(actor=world.leader, case=h, reasons="不服处理意见")
        with pinned_now(beijing("2025-03-10 09:00")):
            h = services.case_review_decide(actor=world.leader, case=h, outcome="uphold", opinion="维持。")
        with pinned_now(beijing("2025-03-03 09:00")):
            i = register(world)
        with pinned_now(beijing("2025-03-04 09:00")):
            i = _accepted(world, i)
        with pinned_now(beijing("2025-03-10 09:00")):
            i = _delivered(world, i)
        with pinned_now(beijing("2025-03-25 09:00")):
            i = services.case_terminate(actor=world.handler, case=i, reason="petitioner_accepted")
        self.f, self.g, self.h, self.i = f, g, h, i


@pytest.fixture
def cases(world: World) -> Cases:
    return Cases(world)


def report(world: World, comparison: Comparison | None = None) -> Report:
    return compute_report(org=world.city_bureau, start=START, end=END, comparison=comparison)


def test_entry_timeliness(world: World, cases: Cases) -> None:
    # F was registered 4 days after receipt; G, H and I the same day
    assert report(world)["录入及时率"].current == Ratio(3, 4)
    with override_settings(XINFANG_ENTRY_DAYS=4):
        assert report(world)["录入及时率"].current == Ratio(4, 4)


def test_closure_on_time_and_overdue_as_of_the_period_end(world: World, cases: Cases) -> None:
    due = dict(CaseFact.objects.values_list("case_id", "handle_due_on"))
    assert all(START <= due[c.pk] <= END for c in (cases.f, cases.h, cases.i))  # the premise
    r = report(world)
    # H and I closed before their due day; F is open past it at 06-30
    assert r["按期办结率"].current == Ratio(2, 3)
    assert r["超期.件次"].current == 1
    assert list(
        figure_cases(world.bureau_head, org=world.city_bureau, key="超期.件次", start=START, end=END)
    ) == [cases.f]
    # as of a period ending before F's due day, nothing was overdue yet
    early = compute_report(org=world.city_bureau, start=START, end=due[cases.f.pk], comparison=None)
    assert early["超期.件次"].current == 0


def test_reviews_terminations_and_declines(world: World, cases: Cases) -> None:
    r = report(world)
    assert (r["复查.件次"].current, r["复查.维持"].current, r["复查.撤销"].current) == (1, 1, 0)  # H
    assert r["复核.件次"].current == 0
    assert r["终结.件次"].current == 1  # I
    assert (r["不予受理.件次"].current, r["不再受理.件次"].current) == (1, 0)  # G


def test_one_time_resolution_counts_appeals_as_configured(world: World, cases: Cases) -> None:
    # first-time matters closed in the period: G, H, I; H was appealed
    assert report(world)["一次性化解率"].current == Ratio(2, 3)
    with override_settings(XINFANG_ONE_TIME_COUNT_APPEALS=False):
        assert report(world)["一次性化解率"].current == Ratio(3, 3)


def test_acceptance_and_closure_rates(world: World, cases: Cases) -> None:
    r = report(world)
    # received in the period: F, G, H, I; accepted: F, H, I; closed of those: H, I (G was declined)
    assert r["受理率"].current == Ratio(3, 4)
    assert r["办结率"].current == Ratio(2, 3)
    assert (r["满意度件.信访部门.办结"].current, r["满意度件.信访部门.未办结"].current) == (2, 1)


def test_supervision_and_its_letters(world: World, cases: Cases) -> None:
    r = report(world)
    assert r["督办.发起"].current == r["督办.提醒函"].current == 1
    assert r["督办.问责建议函"].current == 1  # the feedback date lapsed on 01-21
    assert r["督办.办结"].current == 0
    # a county report counts none of the city bureau's supervisions
    county = compute_report(org=world.county_gov, start=START, end=END, comparison=None)
    assert county["督办.发起"].current == 0


def test_cluster_alerts_of_the_territory_and_their_reviews(world: World, cases: Cases) -> None:
    raised = beijing("2025-04-01 08:00")
    ours = ClusterAlert.objects.create(
        signature="a",
        title="住房质量",
        size=2,
        case_ids=[cases.h.pk, cases.i.pk],
        first_raised_at=raised,
        last_raised_at=raised,
        last_size=2,
        last_seen_at=raised,
    )
    ClusterAlert.objects.create(  # about cases that do not exist here: another territory
        signature="b",
        title="别处",
        size=2,
        case_ids=[999_998, 999_999],
        first_raised_at=raised,
        last_raised_at=raised,
        last_size=2,
        last_seen_at=raised,
    )
    AlertReview.objects.create(
        alert=ours,
        org=world.city_bureau,
        reviewed_by=world.bureau_head,
        reviewed_at=beijing("2025-04-02 10:00"),
        note="已研判",
        size_at_review=2,
    )
    r = report(world, comparison=Comparison.YOY)
    assert (r["类案预警.发出"].current, r["类案预警.已研判"].current) == (1, 1)
    assert (r["类案预警.发出"].previous, r["类案预警.已研判"].previous) == (0, 0)
    county = compute_report(org=world.other_county_labour, start=START, end=END, comparison=None)
    assert county["类案预警.已研判"].current == 0


def test_query_count_on_a_larger_set(world: World, cases: Cases) -> None:
    """The number of queries does not grow with the cases (one aggregate for all counts)."""
    with CaptureQueriesContext(connection) as before:
        report(world, comparison=Comparison.YOY)
    for _ in range(3):
        register(world)
    with CaptureQueriesContext(connection) as after:
        report(world, comparison=Comparison.YOY)
    print(f"compute_report: {len(before)} then {len(after)} queries")
    assert len(after) == len(before)


def test_the_figures_without_the_breakdowns_are_the_same(world: World, cases: Cases) -> None:
    full = compute_report(org=world.city_bureau, start=START, end=END, comparison=Comparison.YOY)
    bare = compute_report(
        org=world.city_bureau, start=START, end=END, comparison=Comparison.YOY, breakdowns=False
    )
    assert bare.figures == full.figures
    assert full.breakdowns and not bare.breakdowns
