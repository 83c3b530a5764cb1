"""Pages of the leaders' work: consultations (会商研判)."""

from django.urls import URLPattern, path

from xinfang.workbench import leadership_consultations as views

urlpatterns: list[URLPattern] = [
    path("leadership/consultations/", views.consultation_list, name="consultation-list"),
    path("leadership/consultations/new/", views.consultation_new, name="consultation-new"),
    path(
        "leadership/consultations/<int:consultation_id>/", views.consultation_view, name="consultation-detail"
    ),
    path(
        "leadership/consultations/<int:consultation_id>/tasks/",
        views.consultation_task_add,
        name="consultation-task-add",
    ),
    path(
        "leadership/consultations/tasks/<int:task_id>/complete/",
        views.consultation_task_complete,
        name="consultation-task-complete",
    ),
    path(
        "leadership/consultations/tasks/<int:task_id>/reopen/",
        views.consultation_task_reopen,
        name="consultation-task-reopen",
    ),
]
