"""The shipped score items' notes ("căn cứ") read in Vietnamese: "[chưa chính thức]" instead of "[unofficial]", and
without the reference to the project's notes file. Notes cannot be edited on the pages, so only the shipped texts
change."""

from django.db import migrations

OLD_SOURCE = "QĐ 766/QĐ-TTg; domain.md §4"
OLD_UNOFFICIAL = "[unofficial] "
NEW_SOURCE = "QĐ 766/QĐ-TTg"
NEW_UNOFFICIAL = "[chưa chính thức] "


def notes_in_vietnamese(apps, schema_editor):
    ScoreItem = apps.get_model("procedures", "ScoreItem")
    ScoreItem.objects.filter(note=OLD_UNOFFICIAL + OLD_SOURCE).update(note=NEW_UNOFFICIAL + NEW_SOURCE)
    ScoreItem.objects.filter(note=OLD_SOURCE).update(note=NEW_SOURCE)


def notes_as_before(apps, schema_editor):
    ScoreItem = apps.get_model("procedures", "ScoreItem")
    ScoreItem.objects.filter(note=NEW_UNOFFICIAL + NEW_SOURCE).update(note=OLD_UNOFFICIAL + OLD_SOURCE)
    ScoreItem.objects.filter(note=NEW_SOURCE).update(note=OLD_SOURCE)


class Migration(migrations.Migration):
    dependencies = [("procedures", "0002_dossier_month_score_items")]

    operations = [migrations.RunPython(notes_in_vietnamese, notes_as_before)]
