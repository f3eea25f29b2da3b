"""The pages of the indicator store, one module per page group: definitions, targets, values (entry and review),
and the published external results (``external``)."""

from .definitions import indicator_create, indicator_detail, indicator_edit, indicator_list, indicator_public
from .exchange import import_page, import_template, targets_export, values_export
from .external import (
    external_import,
    external_index,
    external_province,
    external_province_export,
    external_responsible,
    external_table,
    external_table_export,
    external_template,
)
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
    "external_import",
    "external_index",
    "external_province",
    "external_province_export",
    "external_responsible",
    "external_table",
    "external_table_export",
    "external_template",
    "import_page",
    "import_template",
    "indicator_create",
    "indicator_detail",
    "indicator_edit",
    "indicator_list",
    "indicator_public",
    "review_queue",
    "target_create",
    "target_delete",
    "target_edit",
    "targets_export",
    "value_accept",
    "value_detail",
    "value_edit",
    "value_return",
    "value_submit",
    "values_export",
]
