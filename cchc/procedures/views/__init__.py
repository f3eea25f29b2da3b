"""The pages of the procedures app, one module per page group."""

from .kpis import (
    kpi_dossiers_export,
    kpi_dossiers_page,
    kpi_table_page,
    kpi_unit_page,
    score_item_edit,
    score_item_list,
)

__all__ = [
    "kpi_dossiers_export",
    "kpi_dossiers_page",
    "kpi_table_page",
    "kpi_unit_page",
    "score_item_edit",
    "score_item_list",
]
