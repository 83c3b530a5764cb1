from django.urls import path

from xinfang.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("reset/", views.reset, name="reset"),
    path("verify/", views.verify, name="verify"),
    path("submit/", views.submit, name="submit"),
    path("lookup/", views.lookup, name="lookup"),
    path("reception-days/", views.reception_schedule, name="reception-days"),
    path("legal-routes/suggest/", views.legal_route_suggest, name="legal-route-suggest"),
    path("cases/", views.case_list, name="my-cases"),
    path("cases/<int:case_id>/", views.case_detail, name="case-detail"),
    path("cases/<int:case_id>/submitted/", views.submitted, name="submitted"),
    path("cases/<int:case_id>/supplement/", views.supplement, name="supplement"),
    path("cases/<int:case_id>/rate/", views.rate, name="rate"),
    path("cases/<int:case_id>/appeal/", views.appeal, name="appeal"),
    path("cases/<int:case_id>/documents/<str:kind>/", views.document, name="document"),
]
