"""The starting legal-route guide (法定途径清单) for the level-1 categories and the common level-2
ones, from data/legal_routes.csv; bureaus edit it in the back office afterwards."""

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from xinfang.reception.legal_routes import DEFAULT_ROUTES_CSV, load_routes

    route_model = apps.get_model("reception", "LegalRoute")
    if route_model.objects.exists():
        return
    load_routes(
        DEFAULT_ROUTES_CSV.read_text(encoding="utf-8"),
        route_model=route_model,
        category_model=apps.get_model("cases", "ContentCategory"),
    )


def unload(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("reception", "LegalRoute").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reception", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
