from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "xinfang.statistics"
    label = "statistics"
    verbose_name = "统计分析"
