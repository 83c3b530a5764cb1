"""Pages of the leaders' work: 积案化解 campaigns (list, new, dashboard, items, reports)."""

from django.urls import URLPattern, path

from xinfang.workbench import leadership_campaigns as views

urlpatterns: list[URLPattern] = [
    path("leadership/campaigns/", views.campaign_list, name="campaign-list"),
    path("leadership/campaigns/new/", views.campaign_new, name="campaign-new"),
    path("leadership/campaigns/<int:campaign_id>/", views.campaign_view, name="campaign-detail"),
    path(
        "leadership/campaigns/<int:campaign_id>/items/", views.campaign_items_add, name="campaign-items-add"
    ),
    path("leadership/campaigns/<int:campaign_id>/report/", views.campaign_report, name="campaign-report"),
    path("leadership/campaigns/items/<int:item_id>/", views.campaign_item_view, name="campaign-item"),
    path(
        "leadership/campaigns/items/<int:item_id>/progress/",
        views.campaign_item_progress,
        name="campaign-item-progress",
    ),
    path(
        "leadership/campaigns/items/<int:item_id>/edit/",
        views.campaign_item_update,
        name="campaign-item-update",
    ),
    path(
        "leadership/campaigns/items/<int:item_id>/undo/", views.campaign_item_undo, name="campaign-item-undo"
    ),
]
