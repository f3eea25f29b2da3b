"""The pages of the procedures app, one module per page group: imports (uploads, column mapping, runs, history),
dossiers (list and detail), the procedure catalogue and the service indicators (kpis)."""

from .aggregates import aggregate_list
from .catalogue import procedure_list
from .dossiers import dossier_detail, dossier_list, dossier_list_export
from .imports import (
    import_aggregates,
    import_catalogue,
    import_columns,
    import_dossiers,
    import_errors,
    import_history,
    import_run,
)
from .kpis import (
    kpi_dossiers_export,
    kpi_dossiers_page,
    kpi_publish_page,
    kpi_table_page,
    kpi_unit_page,
    score_item_edit,
    score_item_list,
)
from .presets import preset_delete, preset_detail, preset_list

__all__ = [
    "aggregate_list",
    "dossier_detail",
    "dossier_list",
    "dossier_list_export",
    "import_aggregates",
    "import_catalogue",
    "import_columns",
    "import_dossiers",
    "import_errors",
    "import_history",
    "import_run",
    "kpi_dossiers_export",
    "kpi_dossiers_page",
    "kpi_publish_page",
    "kpi_table_page",
    "kpi_unit_page",
    "preset_delete",
    "preset_detail",
    "preset_list",
    "procedure_list",
    "score_item_edit",
    "score_item_list",
]
