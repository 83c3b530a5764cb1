import datetime as dt

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "xinfang.cases"
    label = "cases"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from xinfang.core.schedule import PeriodicJob, register

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
        # Nightly: follow calendar and rule edits, and windows that lapsed, on every open case.
        register(
            PeriodicJob(
                name="recompute_due",
                task_path="xinfang.cases.tasks.recompute_due",
                every=dt.timedelta(days=1),
                at_local=dt.time(1, 30),
            )
        )
