"""The 发文字号 (文号) of each document: 机关代字 + series word + 〔year〕 + serial + 号 (GB/T 9704 7.2.4).

    示信访转〔2026〕15号   the 15th 转送单 the organ with 机关代字 "示信访" issued in 2026

One counter per issuing organ, year and series (`DocumentCounter`). A number is given once per
document (`DocumentNumber`, one row per event and kind): printing the document again prints the same
number. It is given in the transaction of the action that issues the document (`number_new_event`,
connected to CaseEvent's post_save in CasesConfig.ready), so a rolled-back action uses no number;
documents issued before numbering existed get theirs when first generated (`number_for`).

No gaps, no repeats under concurrency: the counter row is locked (select_for_update on PostgreSQL;
SQLite runs every transaction IMMEDIATE, one writer at a time) before the next serial is taken, and
the document's row is looked for again under that lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from xinfang.cases.models import CaseEvent, DocumentCounter, DocumentNumber
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import Org


@dataclass(frozen=True)
class Series:
    code: str  # the counter's key
    word: str  # printed after the 机关代字
    kind: str  # the document kind (xinfang.cases.documents.DOCUMENT_KINDS)


# Which event issues which numbered document, and its series word. 转送单 and 交办单 are one kind
# (routing_slip) but two series: a unit receives both and files them apart. The 送达回证 has no
# number of its own: it cites the number of the document it delivers.
SERIES_BY_EVENT: dict[str, Series] = {
    "forwarded": Series("forward", "转", "routing_slip"),
    "assigned": Series("assign", "交", "routing_slip"),
    "accepted": Series("accept", "受", "acceptance_notice"),
    "declined": Series("decline", "不受", "decline_notice"),
    "extended": Series("extend", "延", "extension_notice"),
    "replied": Series("reply", "复", "reply_opinion"),
    "answered": Series("reply", "复", "reply_opinion"),
    "review_decided": Series("review", "复查", "review_opinion"),
    "rereview_decided": Series("rereview", "复核", "rereview_opinion"),
}


def issuing_org(event: CaseEvent) -> Org | None:
    """The organ that issues the document of `event`: the organ that acted, else the case's unit."""
    org: Org | None = event.org or event.case.current_org
    return org


def format_number(prefix: str, word: str, year: int, serial: int) -> str:
    return f"{prefix}{word}〔{year}〕{serial}号"


def locked_counter(*, org: Org, year: int, series: str) -> DocumentCounter:
    """The counter of `org`'s `series` in `year`, made if new, locked until the caller's
    transaction ends: the one way any numbered series (文号, 简报期号) takes its next serial."""
    # The row exists before it is locked: two first numbers of a series insert it together, one
    # insert is ignored, and both then wait on the same row (SQLite: one writer at a time).
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(org=org, year=year, series=series, last=0)], ignore_conflicts=True
    )
    return DocumentCounter.objects.select_for_update().get(org=org, year=year, series=series)


def advance(counter: DocumentCounter) -> int:
    """Take the next serial of a counter locked by `locked_counter`."""
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def number_for(event: CaseEvent) -> DocumentNumber | None:
    """The number of the document `event` issues, given now if it has none yet; None when the
    event issues no numbered document or has no issuing organ."""
    series = SERIES_BY_EVENT.get(event.kind)
    if series is None:
        return None
    found = DocumentNumber.objects.filter(event=event, kind=series.kind).first()
    if found is not None:
        return found
    org = issuing_org(event)
    if org is None:
        return None
    year = local_date(event.at).year
    with transaction.atomic():
        counter = locked_counter(org=org, year=year, series=series.code)
        # Looked for again under the lock: a concurrent first print of the same document waited here.
        found = DocumentNumber.objects.filter(event=event, kind=series.kind).first()
        if found is not None:
            return found
        advance(counter)
        return DocumentNumber.objects.create(
            case_id=event.case_id,
            event=event,
            kind=series.kind,
            org=org,
            year=year,
            series=series.code,
            serial=counter.last,
            number=format_number(org.document_prefix, series.word, year, counter.last),
        )


def number_new_event(sender: Any, instance: CaseEvent, created: bool, raw: bool = False, **_: Any) -> None:
    """post_save of CaseEvent: an event that issues a document takes its number in the action's
    transaction (fixtures loaded raw are left to `number_for`)."""
    if created and not raw and instance.kind in SERIES_BY_EVENT:
        number_for(instance)
