"""Finding people's matters: the name key of each petitioner and a text index on cases.

- `Petitioner.name_key`: the keyed hash of the name alone (`pii.name_key`), filled here for the
  existing rows (each name is decrypted once, in this migration only) and by the registration
  service from now on.
- Full text on subject and content, per database (Django has no portable index for it):
  PostgreSQL: pg_trgm GIN indexes, used by `ILIKE '%词%'` (a search term of three or more
  characters; shorter terms are read by a scan of the visible cases); SQLite: an FTS5 table with the
  trigram tokenizer over the same columns, kept in step by triggers, so every write (the services,
  an import, the benchmarks' bulk inserts) keeps it current.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

BATCH = 2000

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS case_subject_trgm ON cases_case USING gin (subject gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS case_content_trgm ON cases_case USING gin (content gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS case_subject_trgm",
    "DROP INDEX IF EXISTS case_content_trgm",
]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS cases_case_fts USING fts5("
    "subject, content, content='cases_case', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_insert AFTER INSERT ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(rowid, subject, content) VALUES (new.id, new.subject, new.content); END",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_delete AFTER DELETE ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(cases_case_fts, rowid, subject, content) "
    "VALUES ('delete', old.id, old.subject, old.content); END",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_update AFTER UPDATE OF subject, content ON cases_case "
    "BEGIN INSERT INTO cases_case_fts(cases_case_fts, rowid, subject, content) "
    "VALUES ('delete', old.id, old.subject, old.content); "
    "INSERT INTO cases_case_fts(rowid, subject, content) VALUES (new.id, new.subject, new.content); END",
    "INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS cases_case_fts_insert",
    "DROP TRIGGER IF EXISTS cases_case_fts_delete",
    "DROP TRIGGER IF EXISTS cases_case_fts_update",
    "DROP TABLE IF EXISTS cases_case_fts",
]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def text_index(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD})


def drop_text_index(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD})


def fill_name_keys(apps: Any, schema_editor: Any) -> None:
    from xinfang.cases import pii

    Petitioner = apps.get_model("cases", "Petitioner")
    rows = Petitioner.objects.using(schema_editor.connection.alias).filter(name_key="").order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).only("pk", "name_enc")[:BATCH])
        if not batch:
            return
        for person in batch:
            person.name_key = pii.name_key(pii.decrypt(person.name_enc))
        Petitioner.objects.using(schema_editor.connection.alias).bulk_update(batch, ["name_key"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_fact_first_repeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="petitioner",
            name="name_key",
            field=models.CharField(blank=True, db_index=True, default="", max_length=64),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["received_on", "id"], name="case_received_id"),
        ),
        migrations.RunPython(text_index, drop_text_index),
    ]
