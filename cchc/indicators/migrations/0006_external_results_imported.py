"""The published results of PAR INDEX, SIPAS and PAPI come from an imported file, not from a computation: their
indicators are "imported" and their values of origin "imported" (they were stored as computed, and the pages said
"Hệ thống tính"), grouped by their index ("Kết quả PAPI") rather than listed ungrouped at the top of the list."""

from django.db import migrations


GROUPS = {"par": "PAR INDEX", "sipas": "SIPAS", "papi": "PAPI"}


def mark_imported(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    IndicatorValue = apps.get_model("indicators", "IndicatorValue")
    Indicator.objects.filter(source="external", entry="computed").update(entry="imported")
    IndicatorValue.objects.filter(indicator__source="external", origin="computed").update(origin="imported")
    for prefix, short in GROUPS.items():
        Indicator.objects.filter(source="external", group="", code__startswith=f"{prefix}.").update(
            group=f"Kết quả {short}"
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0005_computed_indicator_sources")]

    operations = [migrations.RunPython(mark_imported, migrations.RunPython.noop)]
