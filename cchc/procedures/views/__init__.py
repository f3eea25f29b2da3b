"""The pages of the procedures app, one module per page group: imports (uploads, column mapping, runs, history),
dossiers (list and detail) and the procedure catalogue."""

from .catalogue import procedure_list
from .dossiers import dossier_detail, dossier_list
from .imports import (
    import_aggregates,
    import_catalogue,
    import_columns,
    import_dossiers,
    import_errors,
    import_history,
    import_run,
)

__all__ = [
    "dossier_detail",
    "dossier_list",
    "import_aggregates",
    "import_catalogue",
    "import_columns",
    "import_dossiers",
    "import_errors",
    "import_history",
    "import_run",
    "procedure_list",
]
