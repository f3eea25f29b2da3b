# The dossier table's foreign keys to the procedure and the unit lose their own single-column indexes: the composite
# indexes (procedure, received_on), (unit, received_on) and (unit, finished_on) begin with the same columns and serve
# the same look-ups, and every index is written for every imported row. Only the indexes are dropped: Django's
# AlterField would also drop and re-add (and so re-check over the whole table) both foreign-key constraints.

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "procedures_dossier_procedure_id_4dfdb747": "procedure_id",
    "procedures_dossier_unit_id_06231c9e": "unit_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
        ("procedures", "0004_kpi_publications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dossier",
                    name="procedure",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="procedures.procedure",
                        verbose_name="thủ tục",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisations.unit",
                        verbose_name="đơn vị tiếp nhận",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "procedures_dossier" ("{column}")',
                )
                for name, column in INDEXES.items()
            ],
        ),
    ]
