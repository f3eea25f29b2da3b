"""Survey responses partitioned by year of ``submitted_at`` on PostgreSQL (decision 26); nothing on SQLite.

Their unique rules are kept by ``surveys_responsekey`` (``0012``): on the partitioned table the two unique indexes
become plain indexes, which the checks of the public form still read. The foreign keys of the answers and of the
response keys point at the primary key ``(id, submitted_at)``; the invitations' foreign key to their response is left
to the ORM (``cchc check --deploy`` reports invitations pointing at no response). The trigger that fills the keys is
made again on the partitioned table, which gives it to each partition.
"""

from django.db import migrations

from cchc.lib.partitions import is_partitioned, partition_by_year

TRIGGER = (
    "CREATE TRIGGER surveys_response_key AFTER INSERT ON surveys_response FOR EACH ROW "
    "WHEN (NEW.dossier_code <> '' OR NEW.idempotency_key <> '') EXECUTE FUNCTION surveys_response_key_insert()"
)


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if is_partitioned(cursor, "surveys_response"):
            return
        # Deferred foreign key checks of rows written earlier in the transaction would forbid the ALTER TABLEs.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DROP TRIGGER IF EXISTS surveys_response_key ON surveys_response")
        # The answers' check of their copied time pointed at a unique (id, submitted_at): the primary key now.
        cursor.execute("ALTER TABLE surveys_answer DROP CONSTRAINT IF EXISTS answer_response_time")
        cursor.execute("ALTER TABLE surveys_response DROP CONSTRAINT IF EXISTS response_id_and_time")
    partition_by_year(
        schema_editor,
        "surveys_response",
        "submitted_at",
        unique_elsewhere=("response_one_rating_per_dossier", "response_unique_idempotency_key"),
        drop_referencing=("surveys_answer", "surveys_invitation", "surveys_responsekey"),
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE surveys_answer ADD CONSTRAINT answer_response_time FOREIGN KEY (response_id, submitted_at) "
            "REFERENCES surveys_response (id, submitted_at) DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(
            "ALTER TABLE surveys_responsekey ADD CONSTRAINT response_key_response FOREIGN KEY "
            "(response_id, submitted_at) REFERENCES surveys_response (id, submitted_at) ON DELETE CASCADE "
            "DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0012_response_keys"),
    ]

    operations = [
        migrations.RunPython(partition, migrations.RunPython.noop, elidable=False),
    ]
