"""Pages of the leaders' work: 约访 (appointments) and 下访 / 夜访 (visits down, night visits)."""

from django.urls import URLPattern, path

from xinfang.workbench import leadership_visits as views

urlpatterns: list[URLPattern] = [
    path("leadership/appointments/", views.appointment_list, name="appointment-list"),
    path("leadership/appointments/new/", views.appointment_new, name="appointment-new"),
    path(
        "leadership/appointments/<int:appointment_id>/", views.appointment_detail, name="appointment-detail"
    ),
    path(
        "leadership/appointments/<int:appointment_id>/record/",
        views.appointment_record,
        name="appointment-record",
    ),
    path("leadership/field-visits/", views.field_visit_list, name="field-visit-list"),
    path("leadership/field-visits/new/", views.field_visit_new, name="field-visit-new"),
    path("leadership/field-visits/<int:visit_id>/", views.field_visit_detail, name="field-visit-detail"),
    path(
        "leadership/field-visits/items/<int:item_id>/outcome/",
        views.field_visit_item_outcome,
        name="field-visit-item-outcome",
    ),
    path(
        "leadership/field-visits/items/<int:item_id>/feedback/",
        views.field_visit_item_feedback,
        name="field-visit-item-feedback",
    ),
]
