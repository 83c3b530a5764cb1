"""Pages of the grass-roots points: the points with their figures, a point's talks, one talk and
the steps of its handling (调解, 回访, 就地化解, 上报, 登记为信访件)."""

from django.urls import URLPattern, URLResolver, path

from xinfang.workbench import reception_grassroots as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reception/points/", views.point_list, name="point-list"),
    path("reception/points/<int:point_id>/", views.point_detail, name="point-detail"),
    path("reception/points/talks/<int:talk_id>/", views.talk_detail, name="talk-detail"),
    path(
        "reception/points/talks/<int:talk_id>/mediations/", views.mediation_start, name="talk-mediation-start"
    ),
    path(
        "reception/points/mediations/<int:mediation_id>/conclude/",
        views.mediation_conclude,
        name="talk-mediation-conclude",
    ),
    path(
        "reception/points/mediations/<int:mediation_id>/follow-up/",
        views.mediation_follow_up,
        name="talk-mediation-follow-up",
    ),
    path("reception/points/talks/<int:talk_id>/resolve/", views.talk_resolve, name="talk-resolve"),
    path("reception/points/talks/<int:talk_id>/escalate/", views.talk_escalate, name="talk-escalate"),
    path(
        "reception/points/talks/<int:talk_id>/register-case/",
        views.talk_register_case,
        name="talk-register-case",
    ),
]
