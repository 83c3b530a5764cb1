"""The bulletins pages: the archive of 信访简报 and 信访动态, an issue's page and actions, its .docx,
and the 动态 items."""

from django.urls import URLPattern, path

from xinfang.workbench import bulletins

urlpatterns: list[URLPattern] = [
    path("bulletins/", bulletins.bulletin_list, name="bulletin-list"),
    path("bulletins/new/", bulletins.bulletin_create, name="bulletin-create"),
    path("bulletins/<int:bulletin_id>/", bulletins.bulletin_view, name="bulletin-detail"),
    path("bulletins/<int:bulletin_id>/edit/", bulletins.bulletin_update, name="bulletin-update"),
    path(
        "bulletins/<int:bulletin_id>/regenerate/", bulletins.bulletin_regenerate, name="bulletin-regenerate"
    ),
    path("bulletins/<int:bulletin_id>/cases/", bulletins.bulletin_add_case, name="bulletin-add-case"),
    path(
        "bulletins/<int:bulletin_id>/cases/<int:case_id>/remove/",
        bulletins.bulletin_remove_case,
        name="bulletin-remove-case",
    ),
    path("bulletins/<int:bulletin_id>/items/", bulletins.bulletin_collect, name="bulletin-collect"),
    path(
        "bulletins/<int:bulletin_id>/items/<int:item_id>/release/",
        bulletins.bulletin_release,
        name="bulletin-release",
    ),
    path("bulletins/<int:bulletin_id>/issue/", bulletins.bulletin_issue, name="bulletin-issue"),
    path("bulletins/<int:bulletin_id>/delete/", bulletins.bulletin_delete, name="bulletin-delete"),
    path("bulletins/<int:bulletin_id>/docx/", bulletins.bulletin_docx, name="bulletin-docx"),
    path("bulletins/items/", bulletins.item_list, name="bulletin-item-list"),
    path("bulletins/items/new/", bulletins.item_create, name="bulletin-item-create"),
    path("bulletins/items/<int:item_id>/delete/", bulletins.item_delete, name="bulletin-item-delete"),
]
