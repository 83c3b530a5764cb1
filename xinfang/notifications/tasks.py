"""The worker's side of notifications: the e-mails, the notices of deadlines drawing near, and the
petitioners' messages (:mod:`.petitioners`)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from xinfang.core.timeutil import now
from xinfang.notifications import petitioners
from xinfang.notifications.models import Kind, Notification
from xinfang.notifications.services import Notice, holders, notify
from xinfang.orgs.models import Role
from xinfang.supervision.models import DueWarning

# Who is told of a deadline near: whoever holds the case at the unit now.
DUE_SOON_ROLES = (Role.HANDLER, Role.REGISTRAR)
# Warnings newer than this are looked at on each run (the sweep runs every 10 minutes).
DUE_SOON_LOOKBACK = dt.timedelta(days=2)
DUE_SOON_BATCH = 2000


@task()
def send_notification_emails(ids: list[int]) -> int:
    """Send each notice in ``ids`` once to its user's address (the same text as in the app)."""
    sent = 0
    site = getattr(settings, "XINFANG_SITE_URL", "").rstrip("/")
    rows = Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).exclude(user__email="")
    for notice in rows.select_related("user"):
        body = notice.text + (f"\n\n{site}{notice.url}" if site and notice.url else "")
        body += "\n\n（本邮件由信访事项办理系统自动发送，请登录系统办理，勿直接回复。）"
        send_mail(f"【信访事项办理系统】{notice.get_kind_display()}", body, None, [notice.user.email])
        Notification.objects.filter(pk=notice.pk).update(emailed_at=now())
        sent += 1
    return sent


def due_soon_notices(at: dt.datetime | None = None) -> int:
    """Tell the unit holding each case about its new due-soon warnings (期限预警, written by the
    sweep); each warning once per person (the notice's key). Returns how many notices were written."""
    moment = at or now()
    warnings = list(
        DueWarning.objects.filter(
            kind=DueWarning.Kind.DUE_SOON,
            resolved_at__isnull=True,
            created_at__gte=moment - DUE_SOON_LOOKBACK,
        )
        .select_related("case")
        .order_by("created_at", "pk")[:DUE_SOON_BATCH]
    )
    if not warnings:
        return 0
    told = set(
        Notification.objects.filter(key__in=[f"due:{w.pk}" for w in warnings]).values_list("key", flat=True)
    )
    fresh = [w for w in warnings if f"due:{w.pk}" not in told]
    by_org = holders({w.org_id for w in fresh}, DUE_SOON_ROLES)
    written = 0
    for warning in fresh:
        case = warning.case
        text = f"信访件 {case.number} 的{warning.get_clock_display()}将于 {warning.due_on:%Y-%m-%d} 届满，请抓紧办理。"
        url = reverse("workbench:case-detail", args=[case.pk])
        written += len(
            notify(
                by_org.get(warning.org_id, []), Notice(Kind.DUE_SOON, text, case, url, f"due:{warning.pk}")
            )
        )
    return written


@task()
def notify_due_soon() -> int:
    return due_soon_notices()


# --- 群众短信通知 (xinfang.notifications.petitioners) ---------------------------------------------


@task()
def queue_step(event_id: int) -> int:
    """Write and send the petitioner's messages of one case event; how many went out now."""
    queued = petitioners.queue_for_event(event_id)
    return petitioners.deliver(queued) if queued else 0


@task()
def send_petitioner_messages() -> int:
    """Every few minutes: send what is due, the retries of earlier failures among them."""
    return petitioners.deliver()


@task()
def remind_rating() -> int:
    """Daily: remind petitioners whose rating window is about to close; how many went out."""
    queued = petitioners.rating_reminders()
    return petitioners.deliver(queued) if queued else 0
