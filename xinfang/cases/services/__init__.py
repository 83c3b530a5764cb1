"""Every workflow action on a case: one function each, keyword-only, typed, atomic.

Views, the API, commands and the demo generator call these; nothing else changes a case.
"""

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
from xinfang.cases.services.notes import case_note_supervision
from xinfang.cases.services.registration import (
    PetitionerInput,
    Registration,
    case_register,
    case_register_detailed,
    case_register_idempotent,
)
from xinfang.cases.services.replies import (
    ReplyInput,
    case_deliver,
    case_extend,
    case_hearing_end,
    case_hearing_start,
    case_reply,
)
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

__all__ = [
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
