"""Pages of the unit tree: the tree and the changes to it (``units``), people in a unit (``memberships``), the Excel
import (``imports``) and the search behind the unit picker (``search``)."""

from .imports import unit_import
from .memberships import membership_add, membership_edit, membership_remove
from .search import unit_search
from .units import (
    unit_create,
    unit_delete,
    unit_detail,
    unit_edit,
    unit_export,
    unit_list,
    unit_merge,
    unit_move,
    unit_split,
)

__all__ = [
    "membership_add",
    "membership_edit",
    "membership_remove",
    "unit_create",
    "unit_delete",
    "unit_detail",
    "unit_edit",
    "unit_export",
    "unit_import",
    "unit_list",
    "unit_merge",
    "unit_move",
    "unit_search",
    "unit_split",
]
