from .pages import (
    finding_create,
    finding_delete,
    inspection_add,
    inspection_detail,
    inspection_edit,
    plan_approve,
    plan_close,
    plan_create,
    plan_detail,
    plan_list,
    register_export,
)

__all__ = [
    "finding_create",
    "finding_delete",
    "inspection_add",
    "inspection_detail",
    "inspection_edit",
    "plan_approve",
    "plan_close",
    "plan_create",
    "plan_detail",
    "plan_list",
    "register_export",
]
