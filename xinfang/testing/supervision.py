"""The setup every 督办 test shares (services, API and pages), built through the product's services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xinfang.cases.models import Case
from xinfang.supervision import services
from xinfang.supervision.models import Supervision
from xinfang.testing.world import World

DETAILS = "请核实墙体裂缝情况，督促开发商维修，并书面反馈。"
FEEDBACK_DUE = dt.date(2025, 3, 10)


def open_supervision(world: World, case: Case, **overrides: Any) -> Supervision:
    """The city bureau's head opens a 督办 of `case` for delay, feedback due 10 March 2025."""
    fields: dict[str, Any] = {
        "actor": world.bureau_head,
        "org": world.city_bureau,
        "case": case,
        "reason": "delay",
        "details": DETAILS,
        "feedback_due": FEEDBACK_DUE,
    }
    fields.update(overrides)
    return services.supervision_open(**fields)
