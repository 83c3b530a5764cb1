import datetime as dt

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "xinfang.supervision"
    label = "supervision"
    verbose_name = "督查督办"

    def ready(self) -> None:
        from xinfang.core.schedule import PeriodicJob, register

        register(
            PeriodicJob(
                name="sweep_deadlines",
                task_path="xinfang.supervision.tasks.sweep_deadlines",
                every=dt.timedelta(minutes=10),
            )
        )
