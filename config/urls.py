from django.contrib import admin
from django.urls import include, path

from xinfang.api.v1 import api
from xinfang.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("portal/", include("xinfang.portal.urls")),
    path("", include("xinfang.workbench.urls")),
]
