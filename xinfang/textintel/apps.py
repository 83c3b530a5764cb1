import datetime as dt

from django.apps import AppConfig


class TextintelConfig(AppConfig):
    name = "xinfang.textintel"
    label = "textintel"
    verbose_name = "文本分析"

    def ready(self) -> None:
        from xinfang.cases.hooks import on_case_registered, on_cases_entered
        from xinfang.core.schedule import PeriodicJob, register
        from xinfang.textintel.db.intake import index_new_case, index_new_cases

        # The duplicate index is written with each new case, in its registering transaction.
        on_case_registered.connect(index_new_case)
        on_cases_entered.connect(index_new_cases)
        register(
            PeriodicJob(
                name="cluster_alerts",
                task_path="xinfang.textintel.tasks.cluster_alerts",
                every=dt.timedelta(days=1),
                at_local=dt.time(3, 0),
            )
        )
