"""Survey answers partitioned by year of their response's time on PostgreSQL (decision 26); nothing on SQLite.

The foreign keys of comment handlings and comment tasks to their answer are left to the ORM (a foreign key into a
partitioned table must name its partition key); ``cchc check --deploy`` reports rows pointing at no answer.

The responses stay one table: their unique rules (one rating per dossier, one response per idempotency key) could not
hold across partitions. A response gets a unique ``(id, submitted_at)``, which a second foreign key of the answers
points at, so an answer's copied time always equals its response's and the answers' widened unique rule
``(response, question, submitted_at)`` means what ``(response, question)`` meant.
"""

from django.db import migrations

from cchc.lib.partitions import partition_by_year


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_constraint WHERE conname = 'answer_response_time' "
            "AND conrelid = 'surveys_answer'::regclass"
        )
        if cursor.fetchone():
            return
    partition_by_year(
        schema_editor,
        "surveys_answer",
        "submitted_at",
        widen_unique=("answer_one_per_question",),
        drop_referencing=("surveys_commenthandling", "surveys_commenttask"),
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE surveys_response ADD CONSTRAINT response_id_and_time UNIQUE (id, submitted_at)")
        cursor.execute(
            "ALTER TABLE surveys_answer ADD CONSTRAINT answer_response_time FOREIGN KEY (response_id, submitted_at) "
            "REFERENCES surveys_response (id, submitted_at) DEFERRABLE INITIALLY DEFERRED"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0010_answer_copies_response_time"),
    ]

    operations = [
        migrations.RunPython(partition, migrations.RunPython.noop, elidable=False),
    ]
