from django.db import migrations


def seed(apps, schema_editor):
    from xinfang.cases.categories import DEFAULT_CATEGORIES_CSV, load_categories

    load_categories(DEFAULT_CATEGORIES_CSV.read_text(encoding="utf-8"), model=apps.get_model("cases", "ContentCategory"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
