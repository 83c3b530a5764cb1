"""The back office of the hall and the grass roots: the legal-route guide (法定途径清单), the halls,
their stationed units and lawyers are edited here; what the desk records (numbers, joint receptions,
consultations, 说事 and mediations) is written by the services and only looked at here."""

from __future__ import annotations

from django.contrib import admin

from xinfang.core.forms import CleanTextAdmin, ReadOnlyAdmin, ReadOnlyInline
from xinfang.reception.models import (
    DutyShift,
    Hall,
    JointReception,
    JointUnit,
    Lawyer,
    LawyerConsultation,
    LegalGuidance,
    LegalRoute,
    Mediation,
    StationedUnit,
    Talk,
    Ticket,
)


@admin.register(LegalRoute)
class LegalRouteAdmin(CleanTextAdmin, admin.ModelAdmin):
    """法定途径清单: category and words → the legal route, its basis and where to go (第三十一条)."""

    list_display = ["category", "name", "channel", "matters", "keywords", "order", "is_active"]
    list_filter = ["channel", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "matters", "keywords", "legal_basis", "category__name"]
    autocomplete_fields = ["category"]


class StationedUnitInline(CleanTextAdmin, admin.TabularInline):
    model = StationedUnit
    extra = 0
    raw_id_fields = ["org"]


class LawyerInline(CleanTextAdmin, admin.TabularInline):
    model = Lawyer
    extra = 0


@admin.register(Hall)
class HallAdmin(CleanTextAdmin, admin.ModelAdmin):
    list_display = ["name", "org", "opens_at", "closes_at", "is_active"]
    list_filter = ["is_active"]
    raw_id_fields = ["org"]
    inlines = [StationedUnitInline, LawyerInline]


@admin.register(DutyShift)
class DutyShiftAdmin(ReadOnlyAdmin):
    list_display = ["on", "hall", "org", "role", "person", "checked_in_at", "checked_out_at"]
    list_filter = ["role"]


# Only the number, its state and its times: the 诉求单's people are personal data (encrypted).
@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = [
        "day",
        "number",
        "hall",
        "headcount",
        "status",
        "window",
        "issued_at",
        "called_at",
        "case",
    ]
    list_filter = ["status"]
    fields = [
        "hall",
        "day",
        "number",
        "headcount",
        "status",
        "window",
        "window_org",
        "issued_at",
        "called_at",
        "served_at",
        "case",
    ]


class JointUnitInline(ReadOnlyInline):
    model = JointUnit


@admin.register(JointReception)
class JointReceptionAdmin(ReadOnlyAdmin):
    list_display = ["convened_at", "hall", "case", "lead_org", "outcome"]
    list_filter = ["outcome"]
    inlines = [JointUnitInline]


@admin.register(LawyerConsultation)
class LawyerConsultationAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "lawyer",
        "hall",
        "persons",
        "topic",
        "legal_aid_referred",
        "off_rota_reason",
        "case",
    ]
    list_filter = ["legal_aid_referred"]


@admin.register(LegalGuidance)
class LegalGuidanceAdmin(ReadOnlyAdmin):
    list_display = ["at", "case", "route_name", "category", "org", "suggested"]
    list_filter = ["channel", "suggested"]


class MediationInline(ReadOnlyInline):
    model = Mediation


@admin.register(Talk)
class TalkAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "point", "subject", "headcount", "status", "case"]
    list_filter = ["status"]
    fields = [
        "point",
        "received_at",
        "headcount",
        "category",
        "subject",
        "status",
        "resolution",
        "confirmed_by_petitioner",
        "confirmation",
        "resolved_at",
        "escalated_to",
        "escalated_at",
        "escalation_reason",
        "case",
    ]
    inlines = [MediationInline]
