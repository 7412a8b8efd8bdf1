"""PostgreSQL triggers that make posted documents insert-only.

The model layer refuses updates and deletes too; these catch raw SQL and any
code path that bypasses the models. TRUNCATE (test flushes) is not affected.
"""

from django.db import migrations

TABLES = [
    "pos_sale",
    "pos_saleline",
    "pos_saletax",
    "pos_payment",
    "pos_void",
    "pos_cashmovement",
]

FUNCTION = """
CREATE OR REPLACE FUNCTION pos_reject_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'posted documents are immutable: % on % refused',
        TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f'DROP TRIGGER IF EXISTS {table}_immutable ON "{table}"'
        )
        schema_editor.execute(
            f'CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION pos_reject_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS {table}_immutable ON "{table}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS pos_reject_change()")


class Migration(migrations.Migration):
    dependencies = [("pos", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
