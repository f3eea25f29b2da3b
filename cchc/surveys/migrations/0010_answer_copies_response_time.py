"""Each answer keeps a copy of its response's ``submitted_at``: the key of the answers' yearly partitions (decision 26).

Filled for the answers stored so far; new answers copy it when inserted (``ResponseTimeCopy``)."""

import django.db.models.expressions
from django.db import migrations

import cchc.surveys.models


def copy_response_time(apps, schema_editor):
    Answer = apps.get_model("surveys", "Answer")
    Response = apps.get_model("surveys", "Response")
    Answer.objects.filter(submitted_at__isnull=True).update(
        submitted_at=django.db.models.Subquery(
            Response.objects.filter(pk=django.db.models.expressions.OuterRef("response_id")).values("submitted_at")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0009_pending_responses"),
    ]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="submitted_at",
            field=cchc.surveys.models.ResponseTimeCopy(editable=False, null=True, verbose_name="gửi lúc"),
        ),
        migrations.RunPython(copy_response_time, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="answer",
            name="submitted_at",
            field=cchc.surveys.models.ResponseTimeCopy(editable=False, verbose_name="gửi lúc"),
        ),
    ]
