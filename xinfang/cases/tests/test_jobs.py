"""The cases app registers its periodic jobs, the nightly recomputation of due moments among them."""

from __future__ import annotations

import datetime as dt

from django.utils.module_loading import import_string

from xinfang.core.schedule import registered_jobs


def test_recompute_due_is_a_nightly_cases_job() -> None:
    job = next(job for job in registered_jobs() if job.name == "recompute_due")
    assert job.task_path == "xinfang.cases.tasks.recompute_due"
    assert (job.every, job.at_local) == (dt.timedelta(days=1), dt.time(1, 30))
    assert callable(import_string(job.task_path).enqueue)
