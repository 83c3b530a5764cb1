import datetime as dt

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "xinfang.notifications"
    label = "notifications"
    verbose_name = "消息提醒"

    def ready(self) -> None:
        from xinfang.cases.hooks import on_case_event
        from xinfang.core.schedule import PeriodicJob, register
        from xinfang.notifications import petitioners
        from xinfang.notifications.subscribers import notify_case_event

        # Written in the action's own transaction: no notice of an action that was rolled back.
        on_case_event.connect(notify_case_event)
        # Petitioners' messages are enqueued once the action commits (petitioners.on_case_event).
        on_case_event.connect(petitioners.on_case_event)
        # The due-soon warnings are written by the deadline sweep (every 10 minutes); this job
        # tells the units about the new ones shortly after.
        register(
            PeriodicJob(
                name="notify_due_soon",
                task_path="xinfang.notifications.tasks.notify_due_soon",
                every=dt.timedelta(minutes=10),
            )
        )
        # 群众短信通知: retries of messages that failed (petitioners.BACKOFF), and the reminder to
        # rate at 10:00 Beijing time, when a text message is welcome.
        register(
            PeriodicJob(
                name="send_petitioner_messages",
                task_path="xinfang.notifications.tasks.send_petitioner_messages",
                every=dt.timedelta(minutes=5),
            )
        )
        register(
            PeriodicJob(
                name="remind_rating",
                task_path="xinfang.notifications.tasks.remind_rating",
                every=dt.timedelta(days=1),
                at_local=dt.time(10, 0),
            )
        )
