"""Computed indicators created on first use without a source were stored as typed by hand ("Nhập tay"); give them
the source their code names (``tasks.*`` from the task tracker, ``sipas.*`` from surveys …)."""

from django.db import migrations

SOURCE_BY_PREFIX = {
    "tasks": "directives",
    "sipas": "surveys",
    "survey": "surveys",
    "tthc": "procedures",
    "dossiers": "procedures",
    "pakn": "procedures",
    "par": "external",
    "papi": "external",
}


def fix_sources(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for indicator in Indicator.objects.filter(source="manual").exclude(entry="unit"):
        source = SOURCE_BY_PREFIX.get(indicator.code.split(".", 1)[0])
        if source:
            Indicator.objects.filter(pk=indicator.pk).update(source=source)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0004_external_responsibility")]

    operations = [migrations.RunPython(fix_sources, migrations.RunPython.noop)]
