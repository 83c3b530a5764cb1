"""The bulletin template every installation starts with (信访简报（标准）), read from
xinfang/bulletins/report_templates/. A template of the same name already there (edited by the
bureau) is left as it is."""

from pathlib import Path

from django.db import migrations

from xinfang.statistics.render import parse_template_file

TEMPLATES = Path(__file__).resolve().parent.parent / "report_templates"


def create(apps, schema_editor):
    ReportTemplate = apps.get_model("statistics", "ReportTemplate")
    for path in sorted(TEMPLATES.glob("*.txt")):
        fields = parse_template_file(path.read_text(encoding="utf-8"))
        name = fields.pop("name")
        ReportTemplate.objects.get_or_create(name=name, defaults=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("bulletins", "0001_initial"),
        ("statistics", "0006_reporttemplate_kind"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
