import datetime as dt

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "xinfang.cases"
    label = "cases"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from xinfang.cases.documents.numbers import number_new_event
        from xinfang.cases.models import CaseEvent
        from xinfang.cases.tasks import deadline_rules_changed, prune_case_file_pdfs
        from xinfang.core.schedule import PeriodicJob, register
        from xinfang.core.tasks import register_cleanup
        from xinfang.deadlines.models import CalendarDay, CalendarYear, DeadlineRule, PolicyProfile

        # A document's 文号 is given in the transaction of the action that issues it.
        post_save.connect(number_new_event, sender=CaseEvent, dispatch_uid="cases-document-numbers")
        # The fact rows' due dates follow an admin's edit of the calendar or the rules.
        for model in (CalendarDay, CalendarYear, PolicyProfile, DeadlineRule):
            label = model._meta.label_lower
            post_save.connect(deadline_rules_changed, sender=model, dispatch_uid=f"cases-facts-save-{label}")
            post_delete.connect(
                deadline_rules_changed, sender=model, dispatch_uid=f"cases-facts-delete-{label}"
            )
        register_cleanup("case_file_pdfs", prune_case_file_pdfs)

        register(
            PeriodicJob(
                name="anchor_events",
                task_path="xinfang.cases.tasks.anchor_events",
                every=dt.timedelta(hours=1),
            )
        )
        register(
            PeriodicJob(
                name="verify_events",
                task_path="xinfang.cases.tasks.verify_events",
                every=dt.timedelta(days=1),
                at_local=dt.time(3, 30),
            )
        )
        # The reports' monthly tallies grow by a row or two per change until summed.
        register(
            PeriodicJob(
                name="compact_fact_tallies",
                task_path="xinfang.cases.tasks.compact_fact_tallies",
                every=dt.timedelta(hours=1),
            )
        )
        # Nightly: follow calendar and rule edits, and windows that lapsed, on every open case.
        register(
            PeriodicJob(
                name="recompute_due",
                task_path="xinfang.cases.tasks.recompute_due",
                every=dt.timedelta(days=1),
                at_local=dt.time(1, 30),
            )
        )
