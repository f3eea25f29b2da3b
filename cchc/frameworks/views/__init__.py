"""Pages of the frameworks: the list, a framework and the changes to it (``frameworks``), its criteria
(``criteria``), the Excel import (``imports``) and the search behind the framework-criterion picker (``search``)."""

from .criteria import criterion_create, criterion_delete, criterion_edit
from .frameworks import (
    framework_clone,
    framework_create,
    framework_delete,
    framework_detail,
    framework_diff,
    framework_edit,
    framework_export,
    framework_list,
    sample_load,
)
from .imports import framework_import
from .search import criterion_search

__all__ = [
    "criterion_create",
    "criterion_delete",
    "criterion_edit",
    "criterion_search",
    "framework_clone",
    "framework_create",
    "framework_delete",
    "framework_detail",
    "framework_diff",
    "framework_edit",
    "framework_export",
    "framework_import",
    "framework_list",
    "sample_load",
]
