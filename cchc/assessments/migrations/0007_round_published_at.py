from django.db import migrations, models


def published_at_from_audit(apps, schema_editor):
    """Rounds published before the day was recorded: the moment of their move to "published" in the audit trail."""
    Round = apps.get_model("assessments", "Round")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    for round in Round.objects.filter(stage="published", published_at__isnull=True):
        entries = AuditEntry.objects.filter(
            object_type="assessments.round", object_id=str(round.pk), changes__has_key="stage"
        ).order_by("at", "pk")
        for entry in entries:
            if (entry.changes.get("stage") or [None, None])[1] == "published":
                round.published_at = entry.at
                round.save(update_fields=["published_at"])
                break


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_sheet_deadline_office_closure_council_override"),
        ("audit", "0003_bounded_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="round",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Lúc kỳ đánh giá chuyển sang giai đoạn “Đã công bố”.",
                null=True,
                verbose_name="công bố lúc",
            ),
        ),
        migrations.AlterField(
            model_name="round",
            name="publication_date",
            field=models.DateField(blank=True, null=True, verbose_name="ngày công bố dự kiến"),
        ),
        migrations.RunPython(published_at_from_audit, migrations.RunPython.noop),
    ]
