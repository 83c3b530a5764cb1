"""Pages of the leaders' work: hearings (信访听证)."""

from django.urls import URLPattern, path

from xinfang.workbench import leadership_hearings as views

urlpatterns: list[URLPattern] = [
    path("leadership/hearings/", views.hearing_list, name="hearing-list"),
    path("leadership/hearings/new/", views.hearing_new, name="hearing-new"),
    path("leadership/hearings/<int:hearing_id>/", views.hearing_view, name="hearing-detail"),
    path("leadership/hearings/<int:hearing_id>/accept/", views.hearing_accept, name="hearing-accept"),
    path("leadership/hearings/<int:hearing_id>/refuse/", views.hearing_refuse, name="hearing-refuse"),
    path("leadership/hearings/<int:hearing_id>/announce/", views.hearing_announce, name="hearing-announce"),
    path(
        "leadership/hearings/<int:hearing_id>/participants/",
        views.hearing_add_participant,
        name="hearing-participant-add",
    ),
    path(
        "leadership/hearings/<int:hearing_id>/participants/<int:participant_id>/remove/",
        views.hearing_remove_participant,
        name="hearing-participant-remove",
    ),
    path("leadership/hearings/<int:hearing_id>/open/", views.hearing_open, name="hearing-open"),
    path("leadership/hearings/<int:hearing_id>/record/", views.hearing_record, name="hearing-record"),
    path("leadership/hearings/<int:hearing_id>/conclude/", views.hearing_conclude, name="hearing-conclude"),
    path("leadership/hearings/<int:hearing_id>/publish/", views.hearing_publish, name="hearing-publish"),
    path("leadership/hearings/<int:hearing_id>/withdraw/", views.hearing_withdraw, name="hearing-withdraw"),
    path(
        "leadership/hearings/<int:hearing_id>/documents/<str:kind>/",
        views.hearing_document,
        name="hearing-document",
    ),
]
