"""The 文号: per organ, year and series, given once in the issuing transaction, without gaps."""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Callable

import pytest
from django.db import transaction
from docx import Document

from xinfang.cases import services
from xinfang.cases.documents import render_document
from xinfang.cases.documents.numbers import SERIES_BY_EVENT, number_for
from xinfang.cases.models import Case, CaseEvent, DocumentCounter, DocumentNumber
from xinfang.cases.tests.helpers import a_reply, register, reply_approved
from xinfang.core.errors import ServiceError
from xinfang.orgs.models import Org
from xinfang.orgs.services import org_doc_prefix_clean, org_update
from xinfang.testing.threads import in_threads, postgres_only
from xinfang.testing.world import World, build_world

Freeze = Callable[[str], dt.datetime]


def number_line(case: Case, kind: str) -> str:
    document = Document(io.BytesIO(render_document(case, kind)[1]))
    return next(p.text for p in document.paragraphs if "〔" in p.text)


def test_each_series_of_an_organ_counts_on_its_own_and_the_number_is_given_when_the_document_is_issued(
    world: World, freeze: Freeze
) -> None:
    freeze("2026-03-02 09:00")
    org_update(org=world.city_bureau, doc_prefix="示信访")
    first = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    second = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    # given by the forward itself, before anyone prints the slip
    assert list(DocumentNumber.objects.order_by("serial").values_list("number", flat=True)) == [
        "示信访转〔2026〕1号",
        "示信访转〔2026〕2号",
    ]
    assert number_line(second, "routing_slip") == "示信访转〔2026〕2号"
    assert number_line(first, "routing_slip") == "示信访转〔2026〕1号"
    # printing again keeps the number and takes none
    assert number_line(first, "routing_slip") == "示信访转〔2026〕1号"
    assert DocumentCounter.objects.get(org=world.city_bureau, series="forward").last == 2
    # another series of the same organ starts at 1; the unit has its own counters
    declined = services.case_decline(
        actor=world.registrar,
        case=register(world),
        legal_channel="litigation",
        reasons="已由人民法院立案审理",
    )
    assert number_line(declined, "decline_notice") == "示信访不受〔2026〕1号"
    accepted = services.case_accept(actor=world.handler, case=first)
    assert number_line(accepted, "acceptance_notice") == "示例市住房和城乡建设局受〔2026〕1号"


def test_the_acceptance_notice_extension_notice_and_opinion_of_a_case_carry_different_numbers(
    world: World,
) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    case = services.case_accept(actor=world.handler, case=case)
    case = services.case_extend(
        actor=world.handler, case=case, days=30, approver=world.approver, reason="需鉴定"
    )
    case = reply_approved(actor=world.handler, case=case, reply=a_reply())
    numbers = {
        kind: number_line(case, kind) for kind in ("acceptance_notice", "extension_notice", "reply_opinion")
    }
    year = numbers["reply_opinion"].split("〔")[1][:4]
    assert numbers == {
        "acceptance_notice": f"示例市住房和城乡建设局受〔{year}〕1号",
        "extension_notice": f"示例市住房和城乡建设局延〔{year}〕1号",
        "reply_opinion": f"示例市住房和城乡建设局复〔{year}〕1号",
    }


def test_a_new_year_starts_every_series_again_at_one(world: World, freeze: Freeze) -> None:
    freeze("2025-12-31 16:00")
    services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    freeze("2026-01-04 09:00")
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    assert number_line(case, "routing_slip") == "示例市信访局转〔2026〕1号"


def test_an_action_that_is_rolled_back_uses_no_number(world: World) -> None:
    case = register(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
        raise RuntimeError("the action fails after the event")
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    assert number_line(case, "routing_slip").endswith("〕1号")
    assert DocumentNumber.objects.get().serial == 1


def test_a_document_issued_before_numbering_gets_its_number_when_first_generated_and_keeps_it(
    world: World,
) -> None:
    old = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    # as before the migration: the event has no number and no counter was kept
    DocumentNumber.objects.all().delete()
    DocumentCounter.objects.all().delete()
    new = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    assert number_line(new, "routing_slip").endswith("〕1号")
    assert number_line(old, "routing_slip").endswith("〕2号")
    assert number_line(old, "routing_slip").endswith("〕2号")
    assert DocumentNumber.objects.count() == 2


def test_the_organ_short_name_stands_in_for_an_unset_prefix_and_a_set_prefix_is_checked(world: World) -> None:
    bureau = world.city_bureau
    assert bureau.document_prefix == (bureau.short_name or bureau.name)
    for bad in ("示信访〔2026〕", "示 信访", "示信访12", "示" * 17):
        with pytest.raises(ServiceError) as refused:
            org_update(org=bureau, doc_prefix=bad)
        assert refused.value.field == "doc_prefix" and "机关代字" in refused.value.message
    assert org_doc_prefix_clean(" 示信访 ") == "示信访"
    assert Org.objects.get(pk=bureau.pk).document_prefix == (bureau.short_name or bureau.name)


def test_a_number_once_given_is_not_changed_by_a_new_prefix(world: World) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    before = number_line(case, "routing_slip")
    org_update(org=world.city_bureau, doc_prefix="示信访")
    assert number_line(case, "routing_slip") == before


def test_every_numbered_document_kind_has_a_series() -> None:
    from xinfang.cases.documents import DOCUMENT_KINDS

    numbered = {kind for kind in DOCUMENT_KINDS if kind != "delivery_receipt"}
    assert {series.kind for series in SERIES_BY_EVENT.values()} == numbered
    for kind in numbered:
        assert set(DOCUMENT_KINDS[kind].events) <= set(SERIES_BY_EVENT)


# -- concurrency (PostgreSQL: row locks between threads) --------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_actions_issuing_at_once_get_consecutive_numbers_without_gaps_or_repeats() -> None:
    """Each thread numbers documents as an action does: in its transaction, which then goes on
    (the sleep) before it commits. Without the counter's row lock the second reads the serial the
    first has not committed yet, and both take the same one."""
    world = build_world()
    for _ in range(8):
        services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    DocumentNumber.objects.all().delete()
    DocumentCounter.objects.filter(series="forward").update(last=0)
    events = list(CaseEvent.objects.filter(kind="forwarded").order_by("pk").values_list("pk", flat=True))
    assert len(events) == 9

    def issue(mine: list[int]) -> Callable[[], None]:
        def job() -> None:
            for pk in mine:
                with transaction.atomic():
                    number_for(CaseEvent.objects.select_related("case").get(pk=pk))
                    time.sleep(0.05)  # the rest of the action, before it commits

        return job

    errors = in_threads([issue(events[0::2]), issue(events[1::2])])

    assert errors == []
    serials = sorted(DocumentNumber.objects.filter(series="forward").values_list("serial", flat=True))
    assert serials == list(range(1, 10))
    assert DocumentCounter.objects.get(org=world.city_bureau, series="forward").last == 9


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_first_prints_of_an_old_document_at_once_give_it_one_number() -> None:
    world = build_world()
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    DocumentNumber.objects.all().delete()
    DocumentCounter.objects.all().delete()
    event_id = CaseEvent.objects.get(case=case, kind="forwarded").pk
    given: list[str] = []

    def first_print() -> None:
        with transaction.atomic():
            number = number_for(CaseEvent.objects.select_related("case").get(pk=event_id))
            time.sleep(0.05)  # the rest of the page, before it commits
        assert number is not None
        given.append(number.number)

    errors = in_threads([first_print, first_print])

    assert errors == []
    assert len(given) == 2 and given[0] == given[1]
    assert DocumentNumber.objects.count() == 1
    assert DocumentCounter.objects.get().last == 1
