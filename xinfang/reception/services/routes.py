"""导入法定途径 (诉访分离): a matter that belongs to a legal procedure is not accepted as a petition;
the petitioner is told which procedure, on what legal basis and where (《信访工作条例》第三十一条).

``legal_route_decline`` is the one way the workbench and the API decline a matter: it takes the
route from the guide (法定途径清单) — or, without one, just the kind of procedure — records the
不予受理 through the case service (so the 不予受理告知书 names the route, its basis and the organ to
go to), and writes the guidance row the figure "matters guided into legal routes" counts.

Rules:

- only the bureau roles of the organ holding the case decline it, in a state that allows it
  (checked by ``case_decline``);
- a route must be in the guide and active (a line switched off in the back office is refused);
- with a route, its own kind of procedure is the one recorded; a different kind given as well is
  refused; without a route, a kind of procedure must be given;
- the reasons are required (``case_decline``).
"""

from __future__ import annotations

from django.db import transaction

from xinfang.cases.models import Case
from xinfang.cases.services import case_decline
from xinfang.cases.services.routing import LEGAL_CHANNELS
from xinfang.core.errors import ServiceError
from xinfang.orgs.models import User
from xinfang.reception.models import LegalGuidance, LegalRoute
from xinfang.reception.selectors.routes import suggested_for_case

__all__ = ["legal_route_decline"]


def _active_route(route: LegalRoute) -> LegalRoute:
    fresh = LegalRoute.objects.select_related("category").filter(pk=route.pk).first()
    if fresh is None:
        raise ServiceError("所选法定途径不在法定途径清单中，请重新选择。", field="route")
    if not fresh.is_active:
        raise ServiceError(f"法定途径“{fresh.name}”已停用，请重新选择。", field="route")
    return fresh


@transaction.atomic
def legal_route_decline(
    *,
    actor: User,
    case: Case,
    reasons: str,
    route: LegalRoute | None = None,
    legal_channel: str = "",
) -> Case:
    """不予受理 and 导入法定途径 (第三十一条): decline ``case`` into ``route`` (a line of the guide)
    or, without one, into the kind of procedure ``legal_channel``; record which route was taken and
    whether the guide had suggested it."""
    legal_channel = (legal_channel or "").strip()
    if route is not None:
        route = _active_route(route)
        if legal_channel and legal_channel != route.channel:
            given = LEGAL_CHANNELS.get(legal_channel, legal_channel)
            raise ServiceError(
                f"法定途径类别“{given}”与所选法定途径“{route.name}”（{route.get_channel_display()}）不一致，"
                "请只选择其中一项。",
                field="legal_channel",
            )
        suggested = any(r.pk == route.pk for r in suggested_for_case(case))
        declined = case_decline(
            actor=actor,
            case=case,
            legal_channel=route.channel,
            reasons=reasons,
            route_name=route.name,
            legal_basis=route.legal_basis,
            where_to_go=route.where_to_go,
        )
        channel, name = route.channel, route.name
    else:
        if not legal_channel:
            raise ServiceError(
                "请选择法定途径：法定途径清单中的一项，或者法定途径类别。", field="legal_channel"
            )
        suggested = False
        declined = case_decline(actor=actor, case=case, legal_channel=legal_channel, reasons=reasons)
        channel, name = legal_channel, LEGAL_CHANNELS[legal_channel]
    # One row per case: a matter declined again after being reopened counts once, as last guided.
    LegalGuidance.objects.update_or_create(
        case=declined,
        defaults={
            "route": route,
            "channel": channel,
            "route_name": name,
            "category": declined.category,
            "org": declined.current_org,
            "suggested": suggested,
            "at": declined.closed_at,
            "by": actor,
        },
    )
    return declined
