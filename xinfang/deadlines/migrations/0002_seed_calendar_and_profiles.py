"""Seed the holiday calendar from the chinesecalendar package (every year it knows) and the
policy profiles from data/profiles.json. Later edits are made in the admin or with
`calendar_import`; changing the package or the JSON file does not touch an existing database."""

from django.db import migrations


def seed(apps, schema_editor):
    from xinfang.deadlines.calendar import WorkCalendar
    from xinfang.deadlines.profiles import load_profiles
    from xinfang.deadlines.services import write_calendar, write_profiles

    write_calendar(
        WorkCalendar.from_chinesecalendar(),
        day_model=apps.get_model("deadlines", "CalendarDay"),
        year_model=apps.get_model("deadlines", "CalendarYear"),
        source="chinesecalendar（初始化）",
    )
    write_profiles(
        load_profiles(),
        profile_model=apps.get_model("deadlines", "PolicyProfile"),
        rule_model=apps.get_model("deadlines", "DeadlineRule"),
    )
    apps.get_model("deadlines", "DataVersion").objects.update_or_create(pk=1, defaults={"version": 1})


def unseed(apps, schema_editor):
    for name in ("DeadlineRule", "CalendarDay", "CalendarYear", "DataVersion"):
        apps.get_model("deadlines", name).objects.all().delete()
    profiles = apps.get_model("deadlines", "PolicyProfile").objects
    while profiles.exists():  # children before parents (PROTECT)
        profiles.filter(children__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
