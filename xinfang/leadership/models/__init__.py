"""The leaders' side of petition work (《信访工作条例》第十八条): reception days, appointments,
visits down, leader-owned cases (包案), backlog campaigns, hearings and joint consultations.

One module per mechanism; each is changed only through :mod:`xinfang.leadership.services`, and a
case only through the case services (a hearing pauses its clocks, a visit registers a case).
"""

from xinfang.leadership.models.campaigns import Campaign, CampaignItem, CampaignSource, Denominator
from xinfang.leadership.models.consultations import Consultation, ConsultationTask
from xinfang.leadership.models.hearings import (
    Hearing,
    HearingOrigin,
    HearingParticipant,
    HearingStatus,
    ParticipantRole,
)
from xinfang.leadership.models.ownership import Ownership, OwnershipEvent, OwnershipState
from xinfang.leadership.models.reception import (
    Appointment,
    AppointmentStatus,
    FieldVisit,
    FieldVisitCase,
    FieldVisitKind,
    Period,
    ReceptionDay,
    ReceptionDayStatus,
    ReceptionRule,
    ReceptionVisit,
    VisitOutcome,
)

__all__ = [
    "Appointment",
    "AppointmentStatus",
    "Campaign",
    "CampaignItem",
    "CampaignSource",
    "Consultation",
    "ConsultationTask",
    "Denominator",
    "FieldVisit",
    "FieldVisitCase",
    "FieldVisitKind",
    "Hearing",
    "HearingOrigin",
    "HearingParticipant",
    "HearingStatus",
    "Ownership",
    "OwnershipEvent",
    "OwnershipState",
    "ParticipantRole",
    "Period",
    "ReceptionDay",
    "ReceptionDayStatus",
    "ReceptionRule",
    "ReceptionVisit",
    "VisitOutcome",
]
