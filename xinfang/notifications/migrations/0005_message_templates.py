"""The shipped wording of each step's message to petitioners (xinfang.notifications.texts).

Only missing rows are written: a bureau's edited wording is never overwritten. A later change of a
default goes through a new data migration of its own."""

from django.db import migrations


def add_templates(apps, schema_editor):
    from xinfang.notifications.texts import STEPS

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, step in STEPS.items():
        MessageTemplate.objects.get_or_create(key=key, defaults={"name": step.name, "text": step.text})


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_petitioner_messages"),
    ]

    operations = [migrations.RunPython(add_templates, migrations.RunPython.noop)]
