"""Cache invalidation for the calendar and rule tables (not business logic).

Any save or delete of a calendar or rule row, in the admin or elsewhere, bumps DataVersion so
every process rebuilds its snapshot, and drops this process's snapshot at once. Bulk writes
(the import command, the seed migration) bump the version themselves.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from xinfang.deadlines.models import CalendarDay, CalendarYear, DataVersion, DeadlineRule, PolicyProfile
from xinfang.deadlines.selectors import clear_cache


def data_changed(**_kwargs: Any) -> None:
    DataVersion.bump()
    clear_cache()


def connect() -> None:
    for model in (CalendarDay, CalendarYear, PolicyProfile, DeadlineRule):
        label = model._meta.label_lower
        post_save.connect(data_changed, sender=model, dispatch_uid=f"deadlines-save-{label}")
        post_delete.connect(data_changed, sender=model, dispatch_uid=f"deadlines-delete-{label}")
