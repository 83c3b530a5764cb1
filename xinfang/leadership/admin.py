"""The back office of the leaders' work: the reception rule per level is edited here; every other
record is written by the services (the pages, the API) and only looked at here."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from xinfang.core.forms import CleanTextAdmin
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


class _ReadOnly(CleanTextAdmin, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class _ReadOnlyInline(CleanTextAdmin, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReceptionVisitInline(_ReadOnlyInline):
    model = ReceptionVisit


@admin.register(ReceptionDay)
class ReceptionDayAdmin(_ReadOnly):
    list_display = ["starts_at", "leader", "leader_org", "org", "place", "status", "published"]
    list_filter = ["status", "published"]
    inlines = [ReceptionVisitInline]


@admin.register(Appointment)
class AppointmentAdmin(_ReadOnly):
    list_display = ["at", "case", "org", "leader", "status"]
    list_filter = ["status"]


class FieldVisitCaseInline(_ReadOnlyInline):
    model = FieldVisitCase


@admin.register(FieldVisit)
class FieldVisitAdmin(_ReadOnly):
    list_display = ["on", "kind", "org", "leader", "target_org", "place", "days"]
    list_filter = ["kind"]
    inlines = [FieldVisitCaseInline]


class OwnershipEventInline(_ReadOnlyInline):
    model = OwnershipEvent


@admin.register(Ownership)
class OwnershipAdmin(_ReadOnly):
    list_display = ["title", "leader", "org", "started_on", "target_on", "state", "resolved_on"]
    list_filter = ["state"]
    inlines = [OwnershipEventInline]


class CampaignItemInline(_ReadOnlyInline):
    model = CampaignItem


@admin.register(Campaign)
class CampaignAdmin(_ReadOnly):
    list_display = ["name", "org", "source", "received_on", "deadline", "target_rate", "denominator"]
    list_filter = ["source"]
    inlines = [CampaignItemInline]


class HearingParticipantInline(_ReadOnlyInline):
    model = HearingParticipant


@admin.register(Hearing)
class HearingAdmin(_ReadOnly):
    list_display = ["pk", "case", "org", "origin", "status", "scheduled_at", "started_on", "ended_on"]
    list_filter = ["status", "origin"]
    inlines = [HearingParticipantInline]


class ConsultationTaskInline(_ReadOnlyInline):
    model = ConsultationTask


@admin.register(Consultation)
class ConsultationAdmin(_ReadOnly):
    list_display = ["held_on", "topic", "org", "chair"]
    inlines = [ConsultationTaskInline]
