from django.contrib import admin
from django.urls import include, path

from xinfang.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("xinfang.workbench.urls")),
]
