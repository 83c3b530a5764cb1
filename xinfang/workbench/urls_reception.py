"""Pages of the reception hall and the grass roots (接访大厅与基层化解): the hub, then one URL module
per area."""

from django.urls import URLPattern, URLResolver, include, path

from xinfang.workbench import reception

urlpatterns: list[URLPattern | URLResolver] = [
    path("reception/", reception.reception_home, name="reception"),
    path("", include("xinfang.workbench.urls_reception_hall")),
    path("", include("xinfang.workbench.urls_reception_queue")),
    path("", include("xinfang.workbench.urls_reception_lawyers")),
    path("", include("xinfang.workbench.urls_reception_routes")),
    path("", include("xinfang.workbench.urls_reception_grassroots")),
]
