"""Pages of 律师参与接访, under the hall: the lawyers and the rota, a lawyer's edit and deactivation,
a consultation's form and the month's consultations."""

from django.urls import URLPattern, URLResolver, path

from xinfang.workbench import reception_lawyers as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reception/halls/<int:hall_id>/lawyers/", views.lawyer_list, name="lawyer-list"),
    path(
        "reception/halls/<int:hall_id>/lawyers/<int:lawyer_id>/edit/", views.lawyer_edit, name="lawyer-edit"
    ),
    path(
        "reception/halls/<int:hall_id>/lawyers/<int:lawyer_id>/deactivate/",
        views.lawyer_deactivate,
        name="lawyer-deactivate",
    ),
    path(
        "reception/halls/<int:hall_id>/lawyers/consultations/",
        views.consultation_list,
        name="lawyer-consultation-list",
    ),
    path(
        "reception/halls/<int:hall_id>/lawyers/consultations/new/",
        views.consultation_new,
        name="lawyer-consultation-new",
    ),
]
