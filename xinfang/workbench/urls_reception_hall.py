"""Pages of the reception hall (接访大厅): the halls, a hall's form and page (its dashboard), the
stationed units, the week's rota with the shift steps, and the month's attendance report."""

from django.urls import URLPattern, URLResolver, path

from xinfang.workbench import reception_hall as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reception/halls/", views.hall_list, name="hall-list"),
    path("reception/halls/new/", views.hall_new, name="hall-new"),
    path("reception/halls/<int:hall_id>/", views.hall_detail, name="hall-detail"),
    path("reception/halls/<int:hall_id>/edit/", views.hall_edit, name="hall-edit"),
    path("reception/halls/<int:hall_id>/units/new/", views.hall_station_unit, name="hall-station-unit"),
    path(
        "reception/halls/units/<int:stationed_id>/withdraw/",
        views.hall_withdraw_unit,
        name="hall-withdraw-unit",
    ),
    path("reception/halls/<int:hall_id>/rota/", views.hall_rota, name="hall-rota"),
    path("reception/halls/shifts/<int:shift_id>/check-in/", views.duty_check_in, name="duty-check-in"),
    path("reception/halls/shifts/<int:shift_id>/check-out/", views.duty_check_out, name="duty-check-out"),
    path("reception/halls/shifts/<int:shift_id>/cancel/", views.duty_cancel, name="duty-cancel"),
    path("reception/halls/shifts/<int:shift_id>/note/", views.duty_note, name="duty-note"),
    path("reception/halls/<int:hall_id>/attendance/", views.hall_attendance, name="hall-attendance"),
]
