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

研判 (review): an organ records that it has looked at an alert (``review_alert``). An alert is
**待研判** for an organ until that organ has a review recorded since the alert was last raised, so a
cluster raised again because it grew comes back to every organ. The organs that review are those where
the user is a registrar, handler, approver, bureau head or leader (``REVIEW_ROLES``).
``pending_alerts_for`` (the home page card) and ``pending_alert_count`` (the navigation badge) count
the visible alerts 待研判 for at least one of the user's reviewing organs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q

from xinfang.cases.models import Case, Petitioner
from xinfang.cases.selectors import sees_case
from xinfang.core.dbrouting import replica_reads
from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.core.timeutil import now as current_time
from xinfang.core.validation import required_text
from xinfang.orgs.models import Org, Role, User
from xinfang.orgs.permissions import require_role
from xinfang.orgs.selectors import user_memberships
from xinfang.textintel.hotspots import HotMessage, find_hotspots
from xinfang.textintel.models import AlertReview, ClusterAlert

logger = logging.getLogger(__name__)

MIN_SIZE = 3
GROWTH = 1.5
TOP = 20
SAME_CLUSTER = 0.5
LIMIT = 200  # the newest alerts shown, counted and reviewable
REVIEW_ROLES = (Role.REGISTRAR, Role.HANDLER, Role.APPROVER, Role.BUREAU_HEAD, Role.LEADER)
NOTE_MAX_LENGTH = 500


def window_days() -> int:
    return int(getattr(settings, "XINFANG_TEXTINTEL_ALERT_DAYS", 30))


def _messages(since: dt.datetime) -> list[HotMessage]:
    with replica_reads():  # the scan of recent cases: the replica's work, if there is one
        return _read_messages(since)


def _read_messages(since: dt.datetime) -> list[HotMessage]:
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
    pending_orgs: tuple[Org, ...] = ()  # the viewer's reviewing organs for which it is 待研判
    latest_review: AlertReview | None = None  # by any organ, with org and reviewed_by loaded

    @property
    def title(self) -> str:
        # the stored title is one case's subject: shown only when the viewer sees every case
        if len(self.cases) == len(self.alert.case_ids):
            return self.alert.title
        return self.cases[0].subject if self.cases else ""

    @property
    def pending(self) -> bool:
        """待研判 for at least one of the viewer's reviewing organs."""
        return bool(self.pending_orgs)


def _current_review(raised_at: Any, size: Any) -> Q:
    """The reviews that make an alert 已研判 for their organ, given the alert's last_raised_at and last_size
    (values, F() or OuterRef(): the one rule for the page, the badge and the service).

    Recorded since the alert was last raised. The size condition closes a race: the daily job takes
    its moment before it locks the alerts, so a review committed while it waits can be later than the
    raise it never saw; the review's smaller size still shows the grown cluster as 待研判.
    """
    return Q(reviewed_at__gte=raised_at, size_at_review__gte=size)


def review_orgs(user: User) -> list[Org]:
    """The organs in whose name ``user`` may record a 研判, by id."""
    if not user.is_authenticated or user.is_citizen:
        return []
    return sorted({m.org for m in user_memberships(user).filter(role__in=REVIEW_ROLES)}, key=lambda o: o.pk)


def _visible_case_ids(user: User, case_ids: set[int]) -> set[int]:
    # A known handful of cases: each is probed against the policy by its id.
    return set(Case.objects.filter(pk__in=case_ids).filter(sees_case(user)).values_list("pk", flat=True))


def _reviews_by_alert(alert_ids: list[int]) -> dict[int, list[AlertReview]]:
    """Every review of the alerts, newest first, each annotated ``current`` (see ``_current_review``)."""
    current = ExpressionWrapper(
        _current_review(F("alert__last_raised_at"), F("alert__last_size")), output_field=BooleanField()
    )
    found: dict[int, list[AlertReview]] = {}
    reviews = AlertReview.objects.filter(alert_id__in=alert_ids).annotate(current=current)
    for review in reviews.select_related("org", "reviewed_by").order_by("-reviewed_at", "-pk"):
        found.setdefault(review.alert_id, []).append(review)
    return found


def alerts_for(user: User, *, since: dt.datetime | None = None) -> list[AlertView]:
    """The alerts ``user`` may see (see the module docstring), most recently raised first, each with
    its 研判 state for the viewer."""
    alerts = ClusterAlert.objects.all()
    if since is not None:
        alerts = alerts.filter(last_raised_at__gte=since)
    alerts = list(alerts[:LIMIT])
    wanted = {pk for a in alerts for pk in a.case_ids}
    visible = {
        c.pk: c
        for c in Case.objects.filter(pk__in=wanted)
        .filter(sees_case(user))
        .only("id", "number", "subject", "registered_at")
    }
    shown = []
    for alert in alerts:
        cases = sorted(
            (visible[pk] for pk in alert.case_ids if pk in visible),
            key=lambda c: (c.registered_at, c.pk),
            reverse=True,
        )
        if cases:
            shown.append((alert, cases))
    if not shown:
        return []
    reviews = _reviews_by_alert([alert.pk for alert, _ in shown])
    orgs = review_orgs(user)
    views = []
    for alert, cases in shown:
        done = {r.org_id for r in reviews.get(alert.pk, []) if r.current}  # type: ignore[attr-defined]
        views.append(
            AlertView(
                alert,
                cases,
                pending_orgs=tuple(org for org in orgs if org.pk not in done),
                latest_review=next(iter(reviews.get(alert.pk, [])), None),
            )
        )
    return views


def pending_alerts_for(user: User) -> list[AlertView]:
    """The visible alerts 待研判 for at least one of ``user``'s reviewing organs, newest first."""
    return [view for view in alerts_for(user) if view.pending]


def pending_alert_count(user: User) -> int:
    """``len(pending_alerts_for(user))`` for the navigation badge on every page: one query when nothing
    is pending, three otherwise (the alerts with their state, then the access policy)."""
    if not user.is_authenticated or user.is_citizen:
        return 0
    reviewed = AlertReview.objects.filter(
        _current_review(OuterRef(OuterRef("last_raised_at")), OuterRef(OuterRef("last_size"))),
        alert=OuterRef(OuterRef("pk")),
        org=OuterRef("org"),
    )
    awaiting = user_memberships(user).filter(role__in=REVIEW_ROLES).filter(~Exists(reviewed))
    # the newest LIMIT alerts, as on the page, then those pending among them
    rows = ClusterAlert.objects.annotate(pending=Exists(awaiting)).values_list("case_ids", "pending")[:LIMIT]
    pending = [set(ids) for ids, is_pending in rows if is_pending]
    if not pending:
        return 0
    visible = _visible_case_ids(user, set().union(*pending))
    return sum(1 for ids in pending if ids & visible)


@transaction.atomic
def review_alert(user: User, alert_id: int, org_id: int, note: str) -> AlertReview:
    """Record that ``org_id`` has 研判 the alert: it is no longer 待研判 for that organ until raised again."""
    # Locked, so the review and the daily job (which locks the alerts it updates) take turns.
    alert = ClusterAlert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None or not _visible_case_ids(user, set(alert.case_ids)):
        raise ServiceError(f"类案预警 {alert_id} 不存在，或您无权查看。", field="alert", code="not_found")
    org = Org.objects.filter(pk=org_id).first()
    if org is None:
        raise ServiceError(f"研判机构 {org_id} 不存在。", field="org_id")
    try:
        require_role(user, org, REVIEW_ROLES, doing="研判类案预警")
    except NotAllowed as exc:
        raise NotAllowed(exc.message, field="org_id") from None
    note = required_text(
        note,
        field="note",
        label="研判意见",
        max_length=NOTE_MAX_LENGTH,
        empty="请填写{label}，例如：已报分管领导、已合并交办。",
    )
    if alert.reviews.filter(_current_review(alert.last_raised_at, alert.last_size), org=org).exists():
        raise ServiceError(
            f"{org.name}已研判过这条类案预警（{alert.last_size} 件），无需重复记录；件数再增长时会重新提示。",
            code="conflict",
        )
    review = AlertReview.objects.create(
        alert=alert,
        org=org,
        reviewed_by=user,
        reviewed_at=current_time(),
        note=note,
        size_at_review=alert.last_size,
    )
    logger.info("类案预警 %s 已研判: %s (%s)", alert.pk, org.name, user)
    return review
