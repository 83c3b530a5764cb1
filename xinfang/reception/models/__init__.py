"""The reception hall and the grass roots; one module per mechanism, each changed only through
:mod:`xinfang.reception.services`, and a case only through the case services."""

from xinfang.reception.models.grassroots import Mediation, MediationOutcome, Talk, TalkStatus
from xinfang.reception.models.halls import DutyRole, DutyShift, Hall, StationedUnit
from xinfang.reception.models.joint import JointOutcome, JointReception, JointRole, JointUnit
from xinfang.reception.models.lawyers import Lawyer, LawyerConsultation
from xinfang.reception.models.queue import Ticket, TicketPerson, TicketStatus
from xinfang.reception.models.routes import LegalGuidance, LegalRoute

__all__ = [
    "DutyRole",
    "DutyShift",
    "Hall",
    "JointOutcome",
    "JointReception",
    "JointRole",
    "JointUnit",
    "Lawyer",
    "LawyerConsultation",
    "LegalGuidance",
    "LegalRoute",
    "Mediation",
    "MediationOutcome",
    "StationedUnit",
    "Talk",
    "TalkStatus",
    "Ticket",
    "TicketPerson",
    "TicketStatus",
]
