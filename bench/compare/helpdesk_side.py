"""django-helpdesk's side of the comparison, run by the helpdesk virtual environment's Python.

``python helpdesk_side.py prepare``: migrate the database of ``HELPDESK_DATABASE_URL``, create the
10 queues (the petition bureaus), 300 staff users (the responsible units: helpdesk has no units,
so a unit is the staff member a ticket is assigned to) and the measuring staff superuser with a
REST token; prints the ids as JSON.

``python helpdesk_side.py load --cases N --end YYYY-MM-DD``: removes every ticket (those the intake
measurement wrote) and writes the generator's N rows as tickets with ``bulk_create`` in chunks:
queue = bureau, assigned to the unit's user, created = received, status Open while the matter
is open before its reply, Resolved once replied, Closed once delivered or declined, due date = the
due moment of the running duty clock; then ``ANALYZE``. Prints the seconds as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk_settings")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import django

django.setup()

import generator  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from helpdesk.models import Queue, Ticket  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

USERNAME = "bench"
PASSWORD = "Bench-Helpdesk-2026"
OPEN, RESOLVED, CLOSED = 1, 3, 4


def prepare() -> dict[str, object]:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    user_model = get_user_model()
    admin = user_model.objects.create_superuser(USERNAME, "bench@example.com", PASSWORD)
    token = Token.objects.create(user=admin)
    queues = [
        Queue.objects.create(title=f"第{b + 1}信访局", slug=f"bureau{b}", email_address=f"b{b}@example.com")
        for b in range(generator.BUREAUS)
    ]
    units = []
    for u in range(generator.UNITS):
        user = user_model(username=f"unit{u:03d}", email=f"unit{u:03d}@example.com", is_staff=True)
        user.set_unusable_password()
        user.save()
        units.append(user.pk)
    return {
        "seconds": time.perf_counter() - started,
        "token": token.key,
        "username": USERNAME,
        "password": PASSWORD,
        "queues": [q.pk for q in queues],
        "units": units,
    }


def load(total: int, end: dt.date) -> dict[str, object]:
    started = time.perf_counter()
    Ticket.objects.all().delete()
    queues = [Queue.objects.get(slug=f"bureau{b}").pk for b in range(generator.BUREAUS)]
    units = dict(get_user_model().objects.filter(username__startswith="unit").values_list("username", "pk"))
    # The rows carry their own moments: keep them instead of the time of loading.
    Ticket._meta.get_field("created").auto_now_add = False
    Ticket._meta.get_field("modified").auto_now = False
    written = 0
    for rows in generator.cases(total, end):
        tickets = []
        for row in rows:
            if row.closed is not None:
                status = CLOSED
                modified = generator.end_of(row.closed) - dt.timedelta(hours=8)
            elif row.replied is not None:
                status, modified = RESOLVED, generator.end_of(row.replied) - dt.timedelta(hours=8)
            else:
                status, modified = OPEN, row.received
            tickets.append(
                Ticket(
                    title=f"信访事项（第{row.serial}件）",
                    queue_id=queues[row.bureau],
                    created=row.received,
                    modified=modified,
                    submitter_email=f"p{row.serial % 5000}@example.com",
                    assigned_to_id=units[f"unit{row.unit:03d}"],
                    status=status,
                    description="（基准测试生成的信访事项）",
                    priority=3,
                    due_date=row.due if status == OPEN else None,
                )
            )
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets, batch_size=2000)
        written += len(tickets)
        if written % 50_000 == 0 or written == total:
            print(f"    helpdesk: {written:,} tickets ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"seconds": time.perf_counter() - started, "tickets": written}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["prepare", "load"])
    parser.add_argument("--cases", type=int, default=0)
    parser.add_argument("--end", type=dt.date.fromisoformat)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    result = prepare() if args.command == "prepare" else load(args.cases, args.end)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
