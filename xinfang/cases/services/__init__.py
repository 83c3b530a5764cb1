"""Every workflow action on a case: one function each, keyword-only, typed, atomic.

Views, the API, commands and the demo generator call these; nothing else changes a case. Each
module names what it exports in its `__all__`, and this package re-exports all of it, so a new
service is written in one module only. `ACTION_SERVICES` finds the function of each action of the
vocabulary by its name, `case_<action>` (checked by cases/tests/test_vocabulary.py).
"""

from collections.abc import Callable
from typing import Any

from xinfang.cases.services import (
    appeals,
    approvals,
    attachments,
    extensions,
    hearings,
    history,
    instructions,
    notes,
    registration,
    replies,
    routing,
)

# Other apps that change a case in their own transaction (督办) lock its row through this one.
from xinfang.cases.services._core import lock_case
from xinfang.cases.services.appeals import *  # noqa: F403
from xinfang.cases.services.approvals import *  # noqa: F403
from xinfang.cases.services.attachments import *  # noqa: F403
from xinfang.cases.services.extensions import *  # noqa: F403
from xinfang.cases.services.hearings import *  # noqa: F403
from xinfang.cases.services.history import *  # noqa: F403
from xinfang.cases.services.instructions import *  # noqa: F403
from xinfang.cases.services.notes import *  # noqa: F403
from xinfang.cases.services.registration import *  # noqa: F403
from xinfang.cases.services.replies import *  # noqa: F403
from xinfang.cases.services.routing import *  # noqa: F403
from xinfang.cases.vocabulary import Action

_MODULES = (
    appeals,
    approvals,
    attachments,
    extensions,
    hearings,
    history,
    instructions,
    notes,
    registration,
    replies,
    routing,
)
# The one action whose service is not called case_<action>: a 督办 is noted on the case.
_SERVICE_NAMES = {Action.SUPERVISE: "case_note_supervision"}

ACTION_SERVICES: dict[Action, Callable[..., Any]] = {
    action: service
    for action in Action
    if (service := globals().get(_SERVICE_NAMES.get(action, f"case_{action.value}"))) is not None
}

__all__ = ["ACTION_SERVICES", "lock_case"] + [name for module in _MODULES for name in module.__all__]
