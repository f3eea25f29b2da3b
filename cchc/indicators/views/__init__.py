"""The pages of the indicator store, one module per page group."""

from .definitions import indicator_create, indicator_detail, indicator_edit, indicator_list
from .targets import target_create, target_delete, target_edit
from .values import (
    entry_list,
    evidence_add,
    evidence_delete,
    evidence_download,
    review_queue,
    value_accept,
    value_detail,
    value_edit,
    value_return,
    value_submit,
)

__all__ = [
    "entry_list",
    "evidence_add",
    "evidence_delete",
    "evidence_download",
    "indicator_create",
    "indicator_detail",
    "indicator_edit",
    "indicator_list",
    "review_queue",
    "target_create",
    "target_delete",
    "target_edit",
    "value_accept",
    "value_detail",
    "value_edit",
    "value_return",
    "value_submit",
]
