"""Case jobs (registered in apps.py): anchor the event chains hourly, verify everything nightly,
recompute the stored due moments of open cases nightly."""

from __future__ import annotations

import logging

from django_tasks import task

from xinfang.cases import tallies
from xinfang.cases.clocks import clocks_of_cases, store_next_due_at
from xinfang.cases.facts import rebuild_facts
from xinfang.cases.integrity import verify, write_anchor
from xinfang.cases.models import Case
from xinfang.core.timeutil import local_date

logger = logging.getLogger(__name__)


@task()
def anchor_events() -> dict[str, object]:
    anchor = write_anchor()
    logger.info("anchored %s case heads, fingerprint %s", len(anchor["heads"]), anchor["fingerprint"])
    return {"heads": len(anchor["heads"]), "upto": anchor["upto"], "fingerprint": anchor["fingerprint"]}


@task()
def compact_fact_tallies() -> dict[str, int]:
    """Sum the monthly tallies' rows of each key into one (`tallies.compact_fact_tallies`)."""
    counts = tallies.compact_fact_tallies()
    logger.info("fact tallies: %s rows summed into %s", counts["before"], counts["after"])
    return counts


@task()
def verify_events() -> dict[str, int]:
    """The same walk as the verify_events command; each finding is logged as an error."""
    result = verify(report=lambda problem: logger.error("integrity: %s", problem))
    if result.problems:
        logger.error("integrity: %s findings over %s cases", result.problems, result.cases)
    return {"cases": result.cases, "events": result.events, "problems": result.problems}


def recompute_open_cases(*, batch_size: int = 500) -> dict[str, int]:
    """Recompute ``next_due_at`` of every open case, batch by batch (keyset on the primary key).

    Writes only the projection field, with a conditional update, so it never fights a service
    acting on the same case (see :func:`xinfang.cases.clocks.store_next_due_at`).
    """
    today = local_date()
    counts = {"checked": 0, "updated": 0, "skipped": 0, "failed": 0}
    last_pk = 0
    open_cases = Case.objects.filter(closed_at__isnull=True).select_related("problem_region")
    open_cases = open_cases.only(
        "pk", "number", "version", "next_due_at", "next_due_clock", "problem_region__code"
    )
    while True:
        batch = list(open_cases.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not batch:
            break
        last_pk = batch[-1].pk
        derived = clocks_of_cases(batch, today=today)
        counts["failed"] += len(batch) - len(derived)
        for item in derived:
            counts["checked"] += 1
            if (item.case.next_due_at, item.case.next_due_clock) == (item.next_due_at, item.next_due_clock):
                continue
            if store_next_due_at(item.case, item.next_due_at, item.next_due_clock):
                counts["updated"] += 1
            else:
                counts["skipped"] += 1
    logger.info("recompute_due: %s", counts)
    return counts


@task()
def recompute_due() -> dict[str, int]:
    """Nightly: follow calendar and rule edits, and windows that lapsed, on every open case."""
    return recompute_open_cases()


@task()
def write_case_file_pdf(export_id: int) -> str:
    """Convert one case file (案卷) to PDF (LibreOffice where installed, else the built-in renderer);
    returns the export's final status."""
    from xinfang.cases.documents.case_file import render_case_file
    from xinfang.cases.documents.pdf import ConversionFailed, docx_to_pdf
    from xinfang.cases.models import CaseFileExport
    from xinfang.core.timeutil import now
    from xinfang.core.worker import resuming

    export = CaseFileExport.objects.select_related("case").get(pk=export_id)
    # Run once, even if enqueued twice; but a run whose worker stopped halfway is taken up again.
    running = export.status == CaseFileExport.Status.RUNNING
    if export.status != CaseFileExport.Status.QUEUED and not (running and resuming()):
        return str(export.status)
    CaseFileExport.objects.filter(pk=export.pk).update(status=CaseFileExport.Status.RUNNING)
    filename, docx = render_case_file(export.case)
    try:
        content = docx_to_pdf(docx)
    except ConversionFailed as exc:
        logger.error("case file %s: %s", export.case.number, exc)
        CaseFileExport.objects.filter(pk=export.pk).update(
            status=CaseFileExport.Status.FAILED, error=str(exc), finished_at=now()
        )
        return str(CaseFileExport.Status.FAILED)
    CaseFileExport.objects.filter(pk=export.pk).update(
        status=CaseFileExport.Status.DONE,
        filename=filename.removesuffix(".docx") + ".pdf",
        content=content,
        finished_at=now(),
    )
    return str(CaseFileExport.Status.DONE)


# A case file's PDF is kept this long; the nightly housekeeping drops older ones.
KEEP_CASE_FILE_PDFS_DAYS = 7


def prune_case_file_pdfs() -> int:
    """Housekeeping clean-up (registered in CasesConfig.ready): drop PDFs older than the keep time."""
    import datetime as dt

    from xinfang.cases.models import CaseFileExport
    from xinfang.core.timeutil import now

    cutoff = now() - dt.timedelta(days=KEEP_CASE_FILE_PDFS_DAYS)
    removed, _ = CaseFileExport.objects.filter(created_at__lt=cutoff).delete()
    return removed


@task()
def follow_deadline_rules(version: int) -> dict[str, int]:
    """After an edit of the calendar or the deadline rules: rebuild every case's fact row, whose
    due dates (受理、办理、评价期限) follow them. Skipped when a later edit has queued its own run
    (`version` is the rules' version this run was queued for)."""
    from xinfang.deadlines.models import DataVersion

    if DataVersion.current() != version:
        return {"skipped": 1, "cases": 0, "failed": 0}
    result = rebuild_facts()
    logger.info("follow_deadline_rules: rebuilt %s fact rows (%s failed)", result.cases, result.failed)
    return {"skipped": 0, "cases": result.cases, "failed": result.failed}


def deadline_rules_changed(**_kwargs: object) -> None:
    """A calendar or rule row was saved or deleted: queue `follow_deadline_rules` once the edit
    is committed (so that it reads the version the edit bumped)."""
    from django.db import transaction

    from xinfang.deadlines.models import DataVersion

    transaction.on_commit(lambda: follow_deadline_rules.enqueue(DataVersion.current()))
