"""Pages of the leaders' work (领导工作): the hub, then one URL module per mechanism."""

from django.urls import URLPattern, URLResolver, include, path

from xinfang.workbench import leadership

urlpatterns: list[URLPattern | URLResolver] = [
    path("leadership/", leadership.leadership_home, name="leadership"),
    path("", include("xinfang.workbench.urls_leadership_reception")),
    path("", include("xinfang.workbench.urls_leadership_visits")),
    path("", include("xinfang.workbench.urls_leadership_ownership")),
    path("", include("xinfang.workbench.urls_leadership_campaigns")),
    path("", include("xinfang.workbench.urls_leadership_hearings")),
    path("", include("xinfang.workbench.urls_leadership_consultations")),
]
