"""Triggers that write partners_change in the writer's transaction (partners/export.py says why)."""

from django.db import migrations

TABLES = [  # (export name, table, primary key column)
    ("questions", "community_question", "id"),
    ("answers", "community_answer", "id"),
    ("bookings", "stations_booking", "id"),
    ("stations", "stations_stationpage", "page_ptr_id"),
    ("appeals", "appeals_appeal", "id"),
    ("kpis", "insights_dailyorgmetric", "id"),
]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION partners_log_change() RETURNS trigger AS $$
DECLARE
  rid bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    rid := (to_jsonb(OLD) ->> TG_ARGV[1])::bigint;
  ELSE
    rid := (to_jsonb(NEW) ->> TG_ARGV[1])::bigint;
  END IF;
  INSERT INTO partners_change ("table", row_id, op, txid, changed_at)
  VALUES (TG_ARGV[0], rid, left(TG_OP, 1), pg_current_xact_id()::text::bigint, now());
  RETURN NULL;
END $$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for name, table, pk in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER partners_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION partners_log_change('{name}', '{pk}')")
    elif vendor == "sqlite":
        for name, table, pk in TABLES:
            for op, when, ref in (("I", "INSERT", "NEW"), ("U", "UPDATE", "NEW"), ("D", "DELETE", "OLD")):
                schema_editor.execute(
                    f"CREATE TRIGGER partners_change_{table}_{op} AFTER {when} ON {table} BEGIN "
                    f"INSERT INTO partners_change (\"table\", row_id, op, txid, changed_at) "
                    f"VALUES ('{name}', {ref}.{pk}, '{op}', NULL, CURRENT_TIMESTAMP); END")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for _name, table, _pk in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS partners_change ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS partners_log_change()")
    elif vendor == "sqlite":
        for _name, table, _pk in TABLES:
            for op in "IUD":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS partners_change_{table}_{op}")


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_partner_registry_webhooks_changes"),
        ("community", "0006_question_target_station_and_referral_event"),
        ("stations", "0001_stations_bookings_referrals"),
        ("appeals", "0002_source_question_foreign_key"),
        ("insights", "0001_kpis_and_training"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
