import datetime as dt

from django.apps import AppConfig


class TextintelConfig(AppConfig):
    name = "xinfang.textintel"
    label = "textintel"
    verbose_name = "文本分析"

    def ready(self) -> None:
        from xinfang.core.schedule import PeriodicJob, register

        register(
            PeriodicJob(
                name="cluster_alerts",
                task_path="xinfang.textintel.tasks.cluster_alerts",
                every=dt.timedelta(days=1),
                at_local=dt.time(3, 0),
            )
        )
