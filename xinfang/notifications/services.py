"""Writing notices and marking them read. Who is told what is decided in :mod:`.subscribers`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from xinfang.cases.models import Case, Nature
from xinfang.core.timeutil import now
from xinfang.notifications.models import Notification
from xinfang.orgs.models import Membership, User


@dataclass(frozen=True)
class Notice:
    kind: str
    text: str
    case: Case | None = None
    url: str = ""
    key: str = ""


def holders(
    org_ids: Iterable[int], roles: Sequence[str], *, case: Case | None = None
) -> dict[int, list[User]]:
    """The active staff holding one of ``roles`` in each organ of ``org_ids``, by organ: one query.

    Never a member of the organ an accusation is against (第三十条): such a notice would tell the
    accused of it, even though routing already refuses to send it there."""
    rows = Membership.objects.filter(
        org_id__in=list(org_ids),
        role__in=list(roles),
        is_active=True,
        org__is_active=True,
        user__is_active=True,
    ).select_related("user")
    if case is not None and case.nature == Nature.ACCUSATION and case.accused_org_id is not None:
        accused = Membership.objects.filter(org_id=case.accused_org_id, is_active=True).values("user_id")
        rows = rows.exclude(user_id__in=accused)
    found: dict[int, dict[int, User]] = {}
    for row in rows:
        found.setdefault(row.org_id, {})[row.user_id] = row.user
    return {org: list(users.values()) for org, users in found.items()}


def notify(users: Iterable[User], notice: Notice, *, skip: User | None = None) -> list[Notification]:
    """One notice for each of ``users`` (each once, never ``skip``: the person who acted), and the
    same text by e-mail to those with an address, sent by the worker once the transaction commits."""
    recipients = {u.pk: u for u in users if skip is None or u.pk != skip.pk}
    if not recipients:
        return []
    moment = now()
    rows = [
        Notification(
            user=user,
            kind=notice.kind,
            case=notice.case,
            text=notice.text[:300],
            url=notice.url,
            key=notice.key,
            created_at=moment,
        )
        for user in recipients.values()
    ]
    # With a key, a second run of the same job finds its rows there already and adds none.
    created = Notification.objects.bulk_create(rows, ignore_conflicts=bool(notice.key))
    if notice.key:
        created = list(
            Notification.objects.filter(key=notice.key, user_id__in=list(recipients), created_at=moment)
        )
    mailed = [n.pk for n in created if recipients[n.user_id].email]
    if mailed:
        from xinfang.notifications.tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.enqueue(mailed))
    return created


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("case").order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user: User, notification_id: int) -> bool:
    """Mark one of ``user``'s own notices read; False if it is not theirs (or does not exist)."""
    return bool(
        Notification.objects.filter(pk=notification_id, user=user, read_at__isnull=True).update(read_at=now())
        or Notification.objects.filter(pk=notification_id, user=user).exists()
    )


def mark_all_read(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=now())
