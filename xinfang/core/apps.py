import datetime as dt

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xinfang.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from xinfang.core.admin_names import name_permissions_in_chinese
        from xinfang.core.schedule import PeriodicJob, register

        # After auth's own receiver (auth is installed first), for every app migrated.
        post_migrate.connect(name_permissions_in_chinese, dispatch_uid="xinfang-permission-names")

        register(
            PeriodicJob(
                name="housekeeping",
                task_path="xinfang.core.tasks.housekeeping",
                every=dt.timedelta(days=1),
                at_local=dt.time(2, 30),
            )
        )
        # Every minute: the health check's proof that the scheduler and a worker are alive.
        register(
            PeriodicJob(
                name="heartbeat",
                task_path="xinfang.core.tasks.heartbeat",
                every=dt.timedelta(minutes=1),
            )
        )
