from .pages import (
    file_add,
    file_download,
    initiative_applied,
    initiative_create,
    initiative_detail,
    initiative_edit,
    initiative_list,
    initiative_recognise,
    initiative_refuse,
    initiative_reopen,
    initiative_withdraw,
    register_export,
)

__all__ = [
    "file_add",
    "file_download",
    "initiative_applied",
    "initiative_create",
    "initiative_detail",
    "initiative_edit",
    "initiative_list",
    "initiative_recognise",
    "initiative_refuse",
    "initiative_reopen",
    "initiative_withdraw",
    "register_export",
]
