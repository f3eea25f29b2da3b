"""Audit entries partitioned by year of ``at`` on PostgreSQL (decision 26); nothing changes on SQLite.

Existing entries stay in place as the partition of every year up to the current one; later years get their own
partitions (``cchc ensure_partitions``). Django's model state is unchanged: ``id`` stays the primary key for the ORM.
"""

from django.db import migrations

from cchc.lib.partitions import partition_by_year


def partition(apps, schema_editor):
    partition_by_year(schema_editor, "audit_auditentry", "at")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_bounded_text"),
    ]

    operations = [
        migrations.RunPython(partition, migrations.RunPython.noop, elidable=False),
    ]
