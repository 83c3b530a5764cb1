"""The reception rule the reports cite, as the starting data a bureau edits in the back office:
"市、县、镇三级党政领导干部分别每季、每月、每周接待群众不少于1次"."""

from django.db import migrations

DEFAULTS = [
    ("city", "quarter", "市级党政领导干部每季度接待群众不少于1次"),
    ("county", "month", "县级党政领导干部每月接待群众不少于1次"),
    ("township", "week", "乡镇党政领导干部每周接待群众不少于1次"),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    rule = apps.get_model("leadership", "ReceptionRule")
    for level, period, note in DEFAULTS:
        rule.objects.get_or_create(level=level, defaults={"period": period, "minimum": 1, "note": note})


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    rule = apps.get_model("leadership", "ReceptionRule")
    for level, period, note in DEFAULTS:
        rule.objects.filter(level=level, period=period, minimum=1, note=note).delete()


class Migration(migrations.Migration):
    dependencies = [("leadership", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
