from django.db import migrations

# The series each kind of bulletin keeps among the organs' counters (services.COUNTER_SERIES).
SERIES = {"brief": "brief", "dynamics": "dynamics"}


def copy_counters(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Every organ's last bulletin number of each kind and year, into the shared counters."""
    old = apps.get_model("bulletins", "BulletinCounter")
    shared = apps.get_model("cases", "DocumentCounter")
    for row in old.objects.all():
        counter, _ = shared.objects.get_or_create(
            org_id=row.org_id, year=row.year, series=SERIES[row.kind], defaults={"last": 0}
        )
        if counter.last < row.last:
            counter.last = row.last
            counter.save(update_fields=["last"])


def copy_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    old = apps.get_model("bulletins", "BulletinCounter")
    shared = apps.get_model("cases", "DocumentCounter")
    kinds = {series: kind for kind, series in SERIES.items()}
    for row in shared.objects.filter(series__in=kinds):
        old.objects.update_or_create(
            org_id=row.org_id, kind=kinds[row.series], year=row.year, defaults={"last": row.last}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("bulletins", "0002_standard_template"),
        ("cases", "0012_open_cases_by_holder"),
    ]

    # One counter per organ, year and series serves the 文号 and the 期号 alike.
    operations = [
        migrations.RunPython(copy_counters, copy_back),
        migrations.DeleteModel(name="BulletinCounter"),
    ]
