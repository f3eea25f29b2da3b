"""Pages of the questionnaires: the list, a questionnaire and its versions (``questionnaires``), editing a draft's
sections, questions and choices (``content``), the XLSForm upload and download (``xlsform``), the collection of
answers with its public links and QR posters (``collection``), the public form itself (``public``), the
invitations of named respondents with their one-time links (``invitations``) and the results and their exports
(``results``)."""

from .collection import collection_overview, point_create, point_poster, point_qr, point_toggle
from .comments import comment_handle, comment_task, comments_page
from .content import (
    choice_add,
    choice_delete,
    choice_edit,
    choice_move,
    question_add,
    question_delete,
    question_edit,
    question_move,
    section_add,
    section_delete,
    section_edit,
    section_move,
)
from .invitations import (
    campaign_create,
    campaign_detail,
    campaign_list,
    invitation_edit,
    invitation_import,
    invitation_remove,
    invitation_resend,
    invitation_template,
    invitations_export,
    invitations_remind,
    invitations_send,
    invited_form,
    invited_thanks,
)
from .public import public_form, public_thanks
from .questionnaires import (
    questionnaire_copy,
    questionnaire_create,
    questionnaire_delete,
    questionnaire_detail,
    questionnaire_edit,
    questionnaire_list,
    version_close,
    version_discard,
    version_new,
    version_publish,
)
from .report import results_report_docx
from .results import results_export, results_page
from .xlsform import xlsform_export, xlsform_import

__all__ = [
    "campaign_create",
    "campaign_detail",
    "campaign_list",
    "choice_add",
    "choice_delete",
    "choice_edit",
    "choice_move",
    "collection_overview",
    "comment_handle",
    "comment_task",
    "comments_page",
    "invitation_edit",
    "invitation_import",
    "invitation_remove",
    "invitation_resend",
    "invitation_template",
    "invitations_export",
    "invitations_remind",
    "invitations_send",
    "invited_form",
    "invited_thanks",
    "point_create",
    "point_poster",
    "point_qr",
    "point_toggle",
    "public_form",
    "public_thanks",
    "question_add",
    "question_delete",
    "question_edit",
    "question_move",
    "questionnaire_copy",
    "questionnaire_create",
    "questionnaire_delete",
    "questionnaire_detail",
    "questionnaire_edit",
    "questionnaire_list",
    "results_export",
    "results_page",
    "results_report_docx",
    "section_add",
    "section_delete",
    "section_edit",
    "section_move",
    "version_close",
    "version_discard",
    "version_new",
    "version_publish",
    "xlsform_export",
    "xlsform_import",
]
