"""Building bulletins for tests through the services, as the pages and the demo do."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.apps import apps as django_apps

from xinfang.bulletins import services
from xinfang.bulletins.models import Bulletin, Kind
from xinfang.cases.models import Case
from xinfang.core.timeutil import now
from xinfang.orgs.models import Org
from xinfang.testing.world import World
from xinfang.textintel.models import AlertReview, ClusterAlert

FEBRUARY = (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def shipped_templates() -> None:
    """The shipped bulletin template, as its migration installs it (a transactional test flushed it)."""
    migration = importlib.import_module("xinfang.bulletins.migrations.0002_standard_template")
    migration.create(django_apps, None)


def brief(world: World, **overrides: Any) -> Bulletin:
    fields: dict[str, Any] = {
        "actor": world.registrar,
        "org": world.city_bureau,
        "kind": Kind.BRIEF,
        "period_start": FEBRUARY[0],
        "period_end": FEBRUARY[1],
    }
    fields.update(overrides)
    return services.bulletin_create(**fields)


def dynamics(world: World, **overrides: Any) -> Bulletin:
    return brief(world, kind=Kind.DYNAMICS, **overrides)


def issue(world: World, bulletin: Bulletin) -> Bulletin:
    return services.bulletin_issue(actor=world.bureau_head, bulletin=bulletin)


def alert(cases: list[Case], *, title: str, place: str = "", at: dt.datetime | None = None) -> ClusterAlert:
    moment = at or now()
    return ClusterAlert.objects.create(
        signature=f"test-{title}",
        title=title,
        place=place,
        size=len(cases),
        case_ids=[c.pk for c in cases],
        reason=f"新出现的类案：30 日内 {len(cases)} 件",
        first_raised_at=moment,
        last_raised_at=moment,
        last_size=len(cases),
        last_seen_at=moment,
    )


def review(world: World, target: ClusterAlert, note: str, org: Org | None = None) -> AlertReview:
    return AlertReview.objects.create(
        alert=target,
        org=org or world.city_bureau,
        reviewed_by=world.bureau_head,
        reviewed_at=now(),
        note=note,
        size_at_review=target.last_size,
    )
