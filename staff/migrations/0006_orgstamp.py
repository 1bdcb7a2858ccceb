"""The org chart's stamp (``staff.models.OrgStamp``) and the triggers that change it on every write
to the tables a person's scope is read from."""

import secrets

from django.db import migrations, models

# (table, the UPDATE columns that matter; empty: any)
WATCHED = [("staff_position", ""), ("staff_concurrentpost", ""), ("staff_staffmember", "position_id, is_active")]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION staff_org_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO staff_orgstamp (id, stamp) VALUES (1, floor(random() * 9e18)::bigint)
        ON CONFLICT (id) DO UPDATE SET stamp = EXCLUDED.stamp;
    RETURN NULL;
END $$;
"""


def _statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        out = [PG_FUNCTION]
        for table, columns in WATCHED:
            update = f"UPDATE OF {columns}" if columns else "UPDATE"
            out.append(f"CREATE TRIGGER {table}_org AFTER INSERT OR {update} OR DELETE OR TRUNCATE ON {table} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION staff_org_touched()")
        return out
    out = []  # SQLite: row triggers, one per event
    for table, columns in WATCHED:
        for event in ("INSERT", f"UPDATE OF {columns}" if columns else "UPDATE", "DELETE"):
            name = f"{table}_org_{event.split()[0].lower()}"
            out.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN "
                       f"INSERT OR REPLACE INTO staff_orgstamp (id, stamp) VALUES (1, random()); END")
    return out


def _drops(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_org ON {table}" for table, _ in WATCHED] + [
            "DROP FUNCTION IF EXISTS staff_org_touched()"]
    return [f"DROP TRIGGER IF EXISTS {table}_org_{event}" for table, _ in WATCHED
            for event in ("insert", "update", "delete")]


def create(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)
    apps.get_model("staff", "OrgStamp").objects.create(id=1, stamp=secrets.randbits(62))  # not a number another database had


def drop(apps, schema_editor):
    for statement in _drops(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("staff", "0005_org_editor_jd_versions")]

    operations = [
        migrations.CreateModel(
            name="OrgStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("stamp", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "org chart stamp", "verbose_name_plural": "org chart stamps"},
        ),
        migrations.RunPython(create, drop),
    ]
