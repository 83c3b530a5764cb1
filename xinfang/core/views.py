"""Liveness and readiness."""

from __future__ import annotations

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from xinfang.core import dbrouting
from xinfang.core.models import Heartbeat
from xinfang.core.timeutil import now


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the primary database answers a query, 503 otherwise (for load balancers and
    monitors). Also reported, without changing the status: the replica's lag (`replica`), and how
    many seconds ago background work last ran (`background`: the every-minute heartbeat job)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "database": "unreachable", "detail": type(exc).__name__}, status=503
        )
    body: dict[str, object] = {"status": "ok", "database": "ok", "background": _background()}
    if dbrouting.replica_configured():
        state = dbrouting.replica_state(fresh=True)
        body["replica"] = {
            "status": "ok" if state.usable else "not used",
            "lag_seconds": None if state.lag_seconds is None else round(state.lag_seconds, 3),
            "detail": state.error,
        }
    return JsonResponse(body)


def _background() -> dict[str, object]:
    last = Heartbeat.objects.order_by("-ran_at").values_list("ran_at", flat=True).first()
    if last is None:
        return {"last_heartbeat_seconds": None}
    return {"last_heartbeat_seconds": round((now() - last).total_seconds(), 1)}
