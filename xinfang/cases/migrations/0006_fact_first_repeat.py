"""Two columns for faster reports: `Case.outside_level` (the level of the outside organ that
registered an imported matter) and `CaseFact.first_repeat_on` (the earliest 信访日期 of a repeat),
the latter filled here from the repeats' fact rows."""

from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def fill_first_repeats(apps, schema_editor):
    CaseFact = apps.get_model("cases", "CaseFact")
    first = Subquery(
        CaseFact.objects.filter(repeat_of_id=OuterRef("case_id"), duplicate_of__isnull=True)
        .order_by()
        .values("repeat_of_id")
        .annotate(first=Min("received_on"))
        .values("first")[:1]
    )
    targets = CaseFact.objects.filter(repeat_of_id__isnull=False).values("repeat_of_id")
    CaseFact.objects.filter(case_id__in=targets).update(first_repeat_on=first)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_case_facts"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="outside_level",
            field=models.CharField(blank=True, max_length=16, verbose_name="来源登记机构级别"),
        ),
        migrations.AddField(
            model_name="casefact",
            name="first_repeat_on",
            field=models.DateField(null=True, verbose_name="首次重复信访日期"),
        ),
        migrations.RunPython(fill_first_repeats, migrations.RunPython.noop),
    ]
