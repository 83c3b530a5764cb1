"""Daily 类案预警 over recent cases, raised once per cluster and again only when it has grown.

``raise_cluster_alerts`` runs ``hotspots.find_hotspots`` over the cases registered in the last
``XINFANG_TEXTINTEL_ALERT_DAYS`` days (default 30): subject, content, registration time, one
"user" per petitioner (their keyed ID-number / phone / name hash, never the plain value), so one
person's many submissions do not make a crowd. A hot spot of at least ``MIN_SIZE`` cases is a cluster.

A cluster is the same as an earlier alert when at least half of the cases that alert's cluster had at the
last run are in it (a cluster is recognised by its cases, not by its wording, which shifts as it grows;
an alert not seen for a whole window is closed, and a cluster that comes back later is new). Then:

* a new cluster raises an alert (``reason`` 新出现的类案);
* a known cluster is raised again only when it has grown by at least ``GROWTH`` (50 %) since the
  last time it was raised (``reason`` 类案增长 N → M 件); otherwise its case list is kept current
  silently, so the same cluster is not raised every day.

``alerts_for(user)`` is what a bureau sees: alerts with at least one case visible to the user (the one
access policy, ``cases_visible_to``), each with only its visible cases.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from xinfang.cases.models import Case, Petitioner
from xinfang.cases.selectors import cases_visible_to
from xinfang.core.timeutil import now as current_time
from xinfang.orgs.models import User
from xinfang.textintel.hotspots import HotMessage, find_hotspots
from xinfang.textintel.models import ClusterAlert

logger = logging.getLogger(__name__)

MIN_SIZE = 3
GROWTH = 1.5
TOP = 20
SAME_CLUSTER = 0.5


def window_days() -> int:
    return int(getattr(settings, "XINFANG_TEXTINTEL_ALERT_DAYS", 30))


def _messages(since: dt.datetime) -> list[HotMessage]:
    cases = list(
        Case.objects.filter(registered_at__gte=since)
        .order_by("registered_at", "pk")
        .values_list("pk", "subject", "content", "registered_at")
    )
    people: dict[int, str] = {}
    for case_id, idh, phone, name in (
        Petitioner.objects.filter(case_id__in=[c[0] for c in cases])
        .order_by("pk")
        .values_list("case_id", "id_number_hash", "phone_hash", "name_hash")
    ):
        people.setdefault(case_id, idh or phone or name)
    return [
        HotMessage(str(pk), people.get(pk) or f"case:{pk}", subject, at, content)
        for pk, subject, content, at in cases
    ]


@transaction.atomic
def raise_cluster_alerts(*, moment: dt.datetime | None = None, days: int | None = None) -> list[ClusterAlert]:
    """Find the clusters of the last ``days`` days; returns the alerts raised (new or grown) now."""
    moment = moment or current_time()
    days = days or window_days()
    messages = _messages(moment - dt.timedelta(days=days))
    if len(messages) < MIN_SIZE:
        return []
    seen_since = moment - dt.timedelta(days=days)
    recent = list(ClusterAlert.objects.select_for_update().filter(last_seen_at__gte=seen_since))
    raised: list[ClusterAlert] = []
    for spot in find_hotspots(messages, top=TOP, window_days=days):
        ids = sorted(int(m.message_id) for m in spot.messages)
        if len(ids) < MIN_SIZE:
            continue
        members = set(ids)
        known = max(
            recent,
            key=lambda a: len(members & set(a.case_ids)) / max(1, len(a.case_ids)),
            default=None,
        )
        if known is not None and len(members & set(known.case_ids)) >= SAME_CLUSTER * len(known.case_ids):
            if len(ids) >= GROWTH * known.last_size:
                known.reason = f"类案增长：{known.last_size} → {len(ids)} 件"
                known.last_size = len(ids)
                known.last_raised_at = moment
                raised.append(known)
            known.case_ids, known.size, known.last_seen_at = ids, len(ids), moment
            known.title = spot.description[:300] or known.title
            known.save()
            continue
        signature = hashlib.sha256(f"{spot.key}|{ids[0]}".encode()).hexdigest()
        alert, _ = ClusterAlert.objects.update_or_create(
            signature=signature,
            defaults={
                "title": spot.description[:300],
                "place": spot.place[:200],
                "size": len(ids),
                "case_ids": ids,
                "reason": f"新出现的类案：{days} 日内 {len(ids)} 件",
                "first_raised_at": moment,
                "last_raised_at": moment,
                "last_size": len(ids),
                "last_seen_at": moment,
            },
        )
        recent.append(alert)
        raised.append(alert)
    for alert in raised:
        logger.info("类案预警 %s: %s (%s)", alert.pk, alert.title, alert.reason)
    return raised


@dataclass(frozen=True)
class AlertView:
    alert: ClusterAlert
    cases: list[Case]  # only those visible to the viewer, newest first

    @property
    def title(self) -> str:
        # the stored title is one case's subject: shown only when the viewer sees every case
        if len(self.cases) == len(self.alert.case_ids):
            return self.alert.title
        return self.cases[0].subject if self.cases else ""


def alerts_for(user: User, *, since: dt.datetime | None = None) -> list[AlertView]:
    """The alerts ``user`` may see (see the module docstring), most recently raised first."""
    alerts = ClusterAlert.objects.all()
    if since is not None:
        alerts = alerts.filter(last_raised_at__gte=since)
    alerts = list(alerts[:200])
    wanted = {pk for a in alerts for pk in a.case_ids}
    visible = {
        c.pk: c
        for c in cases_visible_to(user).filter(pk__in=wanted).only("id", "number", "subject", "registered_at")
    }
    views = []
    for alert in alerts:
        cases = sorted(
            (visible[pk] for pk in alert.case_ids if pk in visible),
            key=lambda c: (c.registered_at, c.pk),
            reverse=True,
        )
        if cases:
            views.append(AlertView(alert, cases))
    return views
