"""The level at which a case was registered, as statistics count it.

`Case.registered_level` is the level of the organ in this installation that registered the case.
A case imported from the national system's exchange may have been registered by an organ outside
this installation (the national bureau): this installation's bureau registers it here, and the
import row (`ImportedCase.registered_level`) keeps the level of the organ that really did. The
statistics read the level through these expressions, so an imported 进京访 counts as one.
"""

from __future__ import annotations

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from xinfang.cases.expressions import BEIJING_VISIT
from xinfang.cases.models import Case

__all__ = ["beijing_visit_q", "level_of", "registered_level"]


def registered_level() -> Coalesce:
    """The counted registering level of a case, for `annotate` on `Case` rows."""
    return Coalesce(F("import_record__registered_level"), F("registered_level"))


def beijing_visit_q() -> Q:
    """`cases.expressions.BEIJING_VISIT`, with the level of an imported case's original organ."""
    lookups = dict(BEIJING_VISIT.lookups())
    wanted = lookups.pop("registered_level")
    return Q(**lookups) & (
        Q(import_record__registered_level=wanted) | Q(import_record__isnull=True, registered_level=wanted)
    )


def level_of(case: Case) -> str:
    """`registered_level()` for a case in hand."""
    record = getattr(case, "import_record", None)
    return record.registered_level if record is not None else case.registered_level
