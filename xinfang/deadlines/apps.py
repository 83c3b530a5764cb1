import datetime as dt

from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "xinfang.deadlines"
    label = "deadlines"
    verbose_name = "期限与日历"

    def ready(self) -> None:
        from xinfang.core.schedule import PeriodicJob, register
        from xinfang.deadlines import signals

        signals.connect()
        register(
            PeriodicJob(
                name="recompute_due",
                task_path="xinfang.deadlines.tasks.recompute_due",
                every=dt.timedelta(days=1),
                at_local=dt.time(1, 30),
            )
        )
