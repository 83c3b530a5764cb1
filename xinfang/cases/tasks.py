"""Integrity jobs (registered in apps.py): anchor the event chains hourly, verify everything nightly."""

from __future__ import annotations

import logging

from django_tasks import task

from xinfang.cases.integrity import verify, write_anchor

logger = logging.getLogger(__name__)


@task()
def anchor_events() -> dict[str, object]:
    anchor = write_anchor()
    logger.info("anchored %s case heads, fingerprint %s", len(anchor["heads"]), anchor["fingerprint"])
    return {"heads": len(anchor["heads"]), "upto": anchor["upto"], "fingerprint": anchor["fingerprint"]}


@task()
def verify_events() -> dict[str, int]:
    """The same walk as the verify_events command; each finding is logged as an error."""
    result = verify(report=lambda problem: logger.error("integrity: %s", problem))
    if result.problems:
        logger.error("integrity: %s findings over %s cases", result.problems, result.cases)
    return {"cases": result.cases, "events": result.events, "problems": result.problems}
