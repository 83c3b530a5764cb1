import datetime as dt

from django.apps import AppConfig


class TextintelConfig(AppConfig):
    name = "xinfang.textintel"
    label = "textintel"
    verbose_name = "文本分析"

    def ready(self) -> None:
        from xinfang.cases.hooks import on_case_registered
        from xinfang.core.schedule import PeriodicJob, register
        from xinfang.textintel.db.intake import index_new_case

        # The duplicate index is written with each new case, in its registering transaction.
        on_case_registered.connect(index_new_case)
        register(
            PeriodicJob(
                name="cluster_alerts",
                task_path="xinfang.textintel.tasks.cluster_alerts",
                every=dt.timedelta(days=1),
                at_local=dt.time(3, 0),
            )
        )
