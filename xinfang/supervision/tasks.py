"""The deadline sweep as a background task (registered every 10 minutes in apps.py)."""

from __future__ import annotations

from django_tasks import task

from xinfang.supervision.sweep import sweep


@task()
def sweep_deadlines() -> dict[str, object]:
    return sweep().as_dict()
