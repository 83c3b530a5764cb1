"""The back office of the leaders' work: the reception rule per level is edited here; every other
record is written by the services (the pages, the API) and only looked at here."""

from __future__ import annotations

from django.contrib import admin

from xinfang.core.forms import CleanTextAdmin, ReadOnlyAdmin, ReadOnlyInline
from xinfang.leadership.models import (
    Appointment,
    Campaign,
    CampaignItem,
    Consultation,
    ConsultationTask,
    FieldVisit,
    FieldVisitCase,
    Hearing,
    HearingParticipant,
    Ownership,
    OwnershipEvent,
    ReceptionDay,
    ReceptionRule,
    ReceptionVisit,
)


@admin.register(ReceptionRule)
class ReceptionRuleAdmin(CleanTextAdmin, admin.ModelAdmin):
    """领导接访频次要求: which level receives how often (provinces set their own)."""

    list_display = ["level", "period", "minimum", "is_active", "note"]
    list_editable = ["period", "minimum", "is_active"]


class ReceptionVisitInline(ReadOnlyInline):
    model = ReceptionVisit


@admin.register(ReceptionDay)
class ReceptionDayAdmin(ReadOnlyAdmin):
    list_display = ["starts_at", "leader", "leader_org", "org", "place", "status", "published"]
    list_filter = ["status", "published"]
    inlines = [ReceptionVisitInline]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["at", "case", "org", "leader", "status"]
    list_filter = ["status"]


class FieldVisitCaseInline(ReadOnlyInline):
    model = FieldVisitCase


@admin.register(FieldVisit)
class FieldVisitAdmin(ReadOnlyAdmin):
    list_display = ["on", "kind", "org", "leader", "target_org", "place", "days"]
    list_filter = ["kind"]
    inlines = [FieldVisitCaseInline]


class OwnershipEventInline(ReadOnlyInline):
    model = OwnershipEvent


@admin.register(Ownership)
class OwnershipAdmin(ReadOnlyAdmin):
    list_display = ["title", "leader", "org", "started_on", "target_on", "state", "resolved_on"]
    list_filter = ["state"]
    inlines = [OwnershipEventInline]


class CampaignItemInline(ReadOnlyInline):
    model = CampaignItem


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "org", "source", "received_on", "deadline", "target_rate", "denominator"]
    list_filter = ["source"]
    inlines = [CampaignItemInline]


class HearingParticipantInline(ReadOnlyInline):
    model = HearingParticipant


@admin.register(Hearing)
class HearingAdmin(ReadOnlyAdmin):
    list_display = ["pk", "case", "org", "origin", "status", "scheduled_at", "started_on", "ended_on"]
    list_filter = ["status", "origin"]
    inlines = [HearingParticipantInline]


class ConsultationTaskInline(ReadOnlyInline):
    model = ConsultationTask


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ["held_on", "topic", "org", "chair"]
    inlines = [ConsultationTaskInline]
