"""Imported matters registered by an organ outside the installation: their level moves onto the
case (`Case.outside_level`), and a visit's fact row counts at that level (`CaseFact.visit_level`)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def move_levels(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseFact = apps.get_model("cases", "CaseFact")
    ImportedCase = apps.get_model("statistics", "ImportedCase")
    outside = ImportedCase.objects.exclude(outside_org="")
    level = Subquery(outside.filter(case_id=OuterRef("pk")).values("registered_level")[:1])
    Case.objects.filter(pk__in=outside.values("case_id")).update(outside_level=level)
    visit_level = Subquery(outside.filter(case_id=OuterRef("case_id")).values("registered_level")[:1])
    CaseFact.objects.filter(case_id__in=outside.values("case_id"), channel="visit").update(
        visit_level=visit_level
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_fact_first_repeat"),
        ("statistics", "0004_report_jobs"),
    ]

    operations = [
        migrations.RunPython(move_levels, migrations.RunPython.noop),
    ]
