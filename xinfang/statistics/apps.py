from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "xinfang.statistics"
    label = "statistics"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from xinfang.core.tasks import register_cleanup
        from xinfang.statistics.tasks import prune_report_jobs

        register_cleanup("report_jobs", prune_report_jobs)
