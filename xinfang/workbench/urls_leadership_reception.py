"""Pages of the leaders' work: 领导接访日."""

from django.urls import URLPattern, path

from xinfang.workbench import leadership_reception as views

urlpatterns: list[URLPattern] = [
    path("leadership/reception-days/", views.reception_day_list, name="reception-day-list"),
    path("leadership/reception-days/new/", views.reception_day_new, name="reception-day-new"),
    path("leadership/reception-days/<int:day_id>/", views.reception_day_detail, name="reception-day-detail"),
    # receive (an existing case), close, cancel
    path(
        "leadership/reception-days/<int:day_id>/<slug:step>/",
        views.reception_day_step,
        name="reception-day-step",
    ),
]
