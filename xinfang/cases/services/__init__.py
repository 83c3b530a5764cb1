"""Every workflow action on a case: one function each, keyword-only, typed, atomic.

Views, the API, commands and the demo generator call these; nothing else changes a case.
`ACTION_SERVICES` names the function of each action of the vocabulary (checked by
cases/tests/test_vocabulary.py).
"""

from collections.abc import Callable
from typing import Any

# Other apps that change a case in their own transaction (督办) lock its row through this one.
from xinfang.cases.services._core import lock_case
from xinfang.cases.services.appeals import (
    case_link,
    case_rate,
    case_rereview_decide,
    case_rereview_request,
    case_review_decide,
    case_review_request,
    case_terminate,
)
from xinfang.cases.services.attachments import case_attach
from xinfang.cases.services.extensions import EXTENSION_APPROVER_ROLES, case_extend
from xinfang.cases.services.hearings import case_hearing_end, case_hearing_start
from xinfang.cases.services.notes import case_note_supervision
from xinfang.cases.services.registration import (
    PetitionerInput,
    Registration,
    case_register,
    case_register_detailed,
    case_register_idempotent,
)
from xinfang.cases.services.replies import ReplyInput, case_deliver, case_reply
from xinfang.cases.services.routing import (
    case_accept,
    case_add_assisting,
    case_answer,
    case_assign,
    case_decline,
    case_forward,
    case_object,
    case_refuse_again,
)
from xinfang.cases.vocabulary import Action

ACTION_SERVICES: dict[Action, Callable[..., Any]] = {
    Action.REGISTER: case_register,
    Action.FORWARD: case_forward,
    Action.ASSIGN: case_assign,
    Action.ANSWER: case_answer,
    Action.DECLINE: case_decline,
    Action.REFUSE_AGAIN: case_refuse_again,
    Action.ACCEPT: case_accept,
    Action.OBJECT: case_object,
    Action.HEARING_START: case_hearing_start,
    Action.HEARING_END: case_hearing_end,
    Action.EXTEND: case_extend,
    Action.REPLY: case_reply,
    Action.DELIVER: case_deliver,
    Action.RATE: case_rate,
    Action.REVIEW_REQUEST: case_review_request,
    Action.REVIEW_DECIDE: case_review_decide,
    Action.REREVIEW_REQUEST: case_rereview_request,
    Action.REREVIEW_DECIDE: case_rereview_decide,
    Action.TERMINATE: case_terminate,
    Action.ADD_ASSISTING: case_add_assisting,
    Action.LINK: case_link,
    Action.ATTACH: case_attach,
    Action.SUPERVISE: case_note_supervision,
}

__all__ = [
    "ACTION_SERVICES",
    "EXTENSION_APPROVER_ROLES",
    "PetitionerInput",
    "Registration",
    "ReplyInput",
    "case_accept",
    "case_add_assisting",
    "case_answer",
    "case_assign",
    "case_attach",
    "case_decline",
    "case_deliver",
    "case_extend",
    "case_forward",
    "case_hearing_end",
    "case_hearing_start",
    "case_link",
    "case_note_supervision",
    "case_object",
    "case_rate",
    "case_refuse_again",
    "case_register",
    "case_register_detailed",
    "case_register_idempotent",
    "case_reply",
    "case_rereview_decide",
    "case_rereview_request",
    "case_review_decide",
    "case_review_request",
    "case_terminate",
    "lock_case",
]
