"""Pages of the legal-route guide (法定途径清单, 诉访分离): the guide, the suggestion fragment of the
registration form, and the matters guided into legal routes."""

from django.urls import URLPattern, URLResolver, path

from xinfang.workbench import reception_routes as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reception/legal-routes/", views.legal_route_list, name="legal-route-list"),
    path("reception/legal-routes/suggest/", views.legal_route_suggest, name="legal-route-suggest"),
    path("reception/legal-guidance/", views.legal_guidance_list, name="legal-guidance-list"),
]
