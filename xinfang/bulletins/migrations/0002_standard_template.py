"""The bulletin template every installation starts with (信访简报（标准）), read from
xinfang/bulletins/report_templates/. A template of the same name already there (edited by the
bureau) is left as it is."""

from pathlib import Path

from django.db import migrations

TEMPLATES = Path(__file__).resolve().parent.parent / "report_templates"
FIELDS = {"名称": "name", "标题": "title", "说明": "description"}


def _parse(text):
    head, _, body = text.partition("\n----\n")
    fields = {"body": body.strip() + "\n"}
    for line in head.splitlines():
        label, _, value = line.partition("：")
        if label.strip() in FIELDS:
            fields[FIELDS[label.strip()]] = value.strip()
    return fields


def create(apps, schema_editor):
    ReportTemplate = apps.get_model("statistics", "ReportTemplate")
    for path in sorted(TEMPLATES.glob("*.txt")):
        fields = _parse(path.read_text(encoding="utf-8"))
        name = fields.pop("name")
        ReportTemplate.objects.get_or_create(name=name, defaults={**fields, "kind": "bulletin"})


class Migration(migrations.Migration):
    dependencies = [
        ("bulletins", "0001_initial"),
        ("statistics", "0006_reporttemplate_kind"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
