import datetime as dt

from django.apps import AppConfig


class TextintelConfig(AppConfig):
    name = "xinfang.textintel"
    label = "textintel"
    verbose_name = "文本分析"

    def ready(self) -> None:
        from xinfang.cases.hooks import on_case_registered, on_cases_laid_out
        from xinfang.core.schedule import PeriodicJob, register
        from xinfang.textintel.db.intake import index_new_case, signature_rows

        # The duplicate index is written with each new case, in its registering transaction (and
        # with history entered in bulk, laid out with its cases).
        on_case_registered.connect(index_new_case)
        on_cases_laid_out.connect(signature_rows)
        register(
            PeriodicJob(
                name="cluster_alerts",
                task_path="xinfang.textintel.tasks.cluster_alerts",
                every=dt.timedelta(days=1),
                at_local=dt.time(3, 0),
            )
        )
