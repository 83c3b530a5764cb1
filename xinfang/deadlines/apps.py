from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "xinfang.deadlines"
    label = "deadlines"
    verbose_name = "期限与日历"

    def ready(self) -> None:
        from xinfang.deadlines import signals

        signals.connect()
