"""Pages for deadlines (due-soon and overdue lists) and 督办."""

from django.urls import URLPattern, path

from xinfang.workbench import supervision

urlpatterns: list[URLPattern] = [
    path("deadlines/", supervision.deadline_list, name="deadlines"),
    path("supervisions/", supervision.supervision_list, name="supervision-list"),
    path("supervisions/<int:supervision_id>/", supervision.supervision_view, name="supervision-detail"),
    path(
        "supervisions/<int:supervision_id>/feedback/",
        supervision.supervision_feedback,
        name="supervision-feedback",
    ),
    path("supervisions/<int:supervision_id>/close/", supervision.supervision_close, name="supervision-close"),
    path(
        "supervisions/<int:supervision_id>/letters/<str:kind>/",
        supervision.supervision_letter,
        name="supervision-letter",
    ),
    path("cases/<int:case_id>/supervise/", supervision.supervision_open, name="supervision-open"),
]
