"""Dossiers partitioned by year of ``received_on`` on PostgreSQL, their codes kept unique by a key table (decision 26).

``procedures_dossierkey`` holds one row per dossier: (source, code) as its primary key, the dossier's id and received
date. On PostgreSQL it is filled here from the dossiers stored so far, the dossier table is partitioned
(``partition_by_year``; the unique (source, code) becomes a plain index of the same name, the key table keeping the
rule), and a trigger keeps the keys of dossiers written by anything but the import, which writes its keys itself and
turns the trigger off for its transaction (``cchc.dossier_keys``). Nothing on SQLite: the table stays plain with its
own unique constraint, and the key table stays empty.
"""

import django.db.models.deletion
from django.db import migrations, models

from cchc.lib.partitions import is_partitioned, partition_by_year

# The setting the import sets for its own transaction (``SET LOCAL``): it writes the keys itself, in bulk.
IMPORT_SETTING = "cchc.dossier_keys"
FUNCTION = (
    "CREATE OR REPLACE FUNCTION procedures_dossier_key_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'INSERT' THEN "
    "INSERT INTO procedures_dossierkey (source, code, dossier_id, received_on) "
    "VALUES (NEW.source, NEW.code, NEW.id, NEW.received_on); "
    "ELSIF TG_OP = 'UPDATE' THEN "
    "UPDATE procedures_dossierkey SET source = NEW.source, code = NEW.code, dossier_id = NEW.id, "
    "received_on = NEW.received_on WHERE source = OLD.source AND code = OLD.code; "
    "ELSE DELETE FROM procedures_dossierkey WHERE source = OLD.source AND code = OLD.code AND dossier_id = OLD.id; "
    "END IF; RETURN NULL; END $$"
)
# A row moved to another year's partition by an UPDATE fires the DELETE and INSERT row triggers, not UPDATE's.
TRIGGER = (
    "CREATE TRIGGER procedures_dossier_key AFTER INSERT OR DELETE OR UPDATE OF id, source, code, received_on "
    "ON procedures_dossier FOR EACH ROW "
    f"WHEN (current_setting('{IMPORT_SETTING}', true) IS DISTINCT FROM 'written') "
    "EXECUTE FUNCTION procedures_dossier_key_write()"
)


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if is_partitioned(cursor, "procedures_dossier"):
            return
        cursor.execute(
            "INSERT INTO procedures_dossierkey (source, code, dossier_id, received_on) "
            "SELECT source, code, id, received_on FROM procedures_dossier"
        )
    partition_by_year(
        schema_editor,
        "procedures_dossier",
        "received_on",
        unique_elsewhere=("dossier_unique_code_per_source",),
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        cursor.execute(TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0006_dossier_last_import_without_constraint"),
    ]

    operations = [
        migrations.CreateModel(
            name="DossierKey",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "source",
                        "code",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                        verbose_name="nguồn và mã hồ sơ",
                    ),
                ),
                ("source", models.CharField(max_length=100, verbose_name="nguồn dữ liệu")),
                ("code", models.CharField(max_length=100, verbose_name="mã hồ sơ")),
                ("received_on", models.DateField(verbose_name="ngày tiếp nhận")),
                (
                    "dossier",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="procedures.dossier",
                        verbose_name="hồ sơ",
                    ),
                ),
            ],
            options={
                "verbose_name": "khóa của hồ sơ",
                "verbose_name_plural": "khóa của hồ sơ",
            },
        ),
        migrations.RunPython(partition, migrations.RunPython.noop, elidable=False),
    ]
