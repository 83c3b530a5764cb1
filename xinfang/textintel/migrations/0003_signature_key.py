"""The band keys keyed by (case, band): no id column, no index but the (band, hash) lookup's.

An import writes some thirty of these rows a case, and each index is written with every one: the
table had four B-trees (the rows by id, (band, hash), the unique (case, band) and the foreign key's
(case)); it now has two, its rows ordered by (case, band) and the lookup's index. On SQLite the
table is a WITHOUT ROWID one, so the key is the table itself. The rows are copied across.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def rebuild(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("textintel", "CaseTextSignature")
    table = model._meta.db_table
    old = f"{table}_old"
    q = schema_editor.quote_name
    schema_editor.execute(f"DROP INDEX IF EXISTS {q('textintel_band_hash')}")
    schema_editor.execute(f"ALTER TABLE {q(table)} RENAME TO {q(old)}")
    if schema_editor.connection.vendor == "sqlite":
        sql, params = schema_editor.table_sql(model)
        schema_editor.execute(f"{sql} WITHOUT ROWID", params or None)
        for index in model._meta.indexes:
            schema_editor.add_index(model, index)
    else:  # the old key's index keeps its name, which the new key takes
        schema_editor.execute(f"ALTER INDEX {q(table + '_pkey')} RENAME TO {q(old + '_pkey')}")
        schema_editor.create_model(model)
    schema_editor.execute(
        f"INSERT INTO {q(table)} (case_id, band, hash) SELECT case_id, band, hash FROM {q(old)}"
    )
    schema_editor.execute(f"DROP TABLE {q(old)}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_fact_codes"),
        ("textintel", "0002_alertreview"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="casetextsignature", name="textintel_sig_case_band"),
                migrations.RemoveField(model_name="casetextsignature", name="id"),
                migrations.AddField(
                    model_name="casetextsignature",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "case", "band", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                migrations.AlterField(
                    model_name="casetextsignature",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cases.case",
                    ),
                ),
            ]
        ),
        migrations.RunPython(rebuild),
    ]
