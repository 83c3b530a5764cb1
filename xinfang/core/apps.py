import datetime as dt

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xinfang.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from xinfang.core.schedule import PeriodicJob, register

        register(
            PeriodicJob(
                name="housekeeping",
                task_path="xinfang.core.tasks.housekeeping",
                every=dt.timedelta(days=1),
                at_local=dt.time(2, 30),
            )
        )
