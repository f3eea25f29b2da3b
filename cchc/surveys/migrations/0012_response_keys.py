"""The unique keys of the responses in a table of their own, filled by a trigger (decision 26).

The responses' own unique rules (one rating per dossier, one response per idempotency key) cannot hold once the
responses are partitioned by year (``0013``); ``surveys_responsekey`` keeps them across the years. It is filled here
for the responses stored so far, then by a trigger on every insert of a response that has a dossier code or an
idempotency key, on PostgreSQL and SQLite alike (on SQLite the responses keep their own constraints as well).
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = "response_id, submitted_at, questionnaire_id, dossier_code, idempotency_key"
VALUES = "NEW.id, NEW.submitted_at, NEW.questionnaire_id, NEW.dossier_code, NEW.idempotency_key"
WHEN = "NEW.dossier_code <> '' OR NEW.idempotency_key <> ''"

POSTGRESQL_TRIGGER = [
    "CREATE OR REPLACE FUNCTION surveys_response_key_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"INSERT INTO surveys_responsekey ({COLUMNS}) VALUES ({VALUES}); RETURN NULL; END $$",
    f"CREATE TRIGGER surveys_response_key AFTER INSERT ON surveys_response FOR EACH ROW WHEN ({WHEN}) "
    "EXECUTE FUNCTION surveys_response_key_insert()",
]
SQLITE_TRIGGER = [
    f"CREATE TRIGGER surveys_response_key AFTER INSERT ON surveys_response FOR EACH ROW WHEN {WHEN} "
    f"BEGIN INSERT INTO surveys_responsekey ({COLUMNS}) VALUES ({VALUES}); END",
]


def fill_and_watch(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO surveys_responsekey ({COLUMNS}) "  # noqa: S608 - our own names
            "SELECT id, submitted_at, questionnaire_id, dossier_code, idempotency_key FROM surveys_response "
            "WHERE dossier_code <> '' OR idempotency_key <> ''"
        )
        vendor = schema_editor.connection.vendor
        for statement in POSTGRESQL_TRIGGER if vendor == "postgresql" else SQLITE_TRIGGER if vendor == "sqlite" else []:
            cursor.execute(statement)


def unwatch(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER IF EXISTS surveys_response_key"
            + (" ON surveys_response" if schema_editor.connection.vendor == "postgresql" else "")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0011_answers_partitioned_by_year"),
    ]

    operations = [
        migrations.CreateModel(
            name="ResponseKey",
            fields=[
                (
                    "response",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="key",
                        serialize=False,
                        to="surveys.response",
                        verbose_name="phiếu trả lời",
                    ),
                ),
                ("submitted_at", models.DateTimeField(verbose_name="gửi lúc")),
                ("dossier_code", models.CharField(blank=True, max_length=64, verbose_name="mã hồ sơ")),
                ("idempotency_key", models.CharField(blank=True, max_length=64, verbose_name="mã chống gửi trùng")),
                (
                    "questionnaire",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="surveys.questionnaire",
                        verbose_name="phiếu khảo sát",
                    ),
                ),
            ],
            options={
                "verbose_name": "khóa của phiếu trả lời",
                "verbose_name_plural": "khóa của phiếu trả lời",
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("dossier_code", ""), _negated=True),
                        fields=("questionnaire", "dossier_code"),
                        name="response_key_one_rating_per_dossier",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("idempotency_key", ""), _negated=True),
                        fields=("idempotency_key",),
                        name="response_key_unique_idempotency_key",
                    ),
                ],
            },
        ),
        migrations.RunPython(fill_and_watch, unwatch, elidable=False),
    ]
