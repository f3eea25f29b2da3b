"""Writes for directives and tasks: each function is one operation, atomic and audited.

Views, the API, management commands and the demo all call these; nothing else saves a directive, task, assignment,
report or extension request. One module per subject: :mod:`.files` (uploads), :mod:`.directives`, :mod:`.tasks`,
:mod:`.schedule` (occurrences and due dates), :mod:`.succession` (work of closed units), :mod:`.reports` (progress
reports, acceptance, extensions), :mod:`.stats` (on-time rates), :mod:`.drafts` (uploaded directives under review)
and :mod:`.learning` (what the extractor proposed and what the review confirmed). Callers import from this package
(``services.task_create``), not from its modules.
"""

from ._shared import TASK_FIELDS
from .directives import DIRECTIVE_FIELDS, DirectiveData, DirectiveExistsError, directive_create, directive_update
from .drafts import NewUnit, directive_create_with_tasks, draft_create, draft_discard, draft_file
from .files import DIRECTIVE_FILE_KINDS, REPORT_FILE_KINDS, StoredFile, check_directive_file, check_report_files
from .learning import EXTRACTOR_KEY, extraction_review_record
from .reports import extension_decide, extension_request, report_accept, report_return, report_submit
from .schedule import MAX_OCCURRENCES, RECURRENCE_PERIOD, has_occurrences, occurrence_periods
from .stats import (
    ON_TIME_RATE,
    on_time_counts,
    on_time_rate_indicator,
    periods_containing,
    stats_publish,
    stats_refresh_for,
)
from .succession import (
    SuccessorProposal,
    directive_hand_over,
    former_name,
    hand_over_proposals,
    succession_note,
    successor_proposals,
)
from .tasks import SCHEDULE_FIELDS, TaskData, task_cancel, task_create, task_delete, task_update

__all__ = [
    "DIRECTIVE_FIELDS",
    "DIRECTIVE_FILE_KINDS",
    "EXTRACTOR_KEY",
    "MAX_OCCURRENCES",
    "ON_TIME_RATE",
    "RECURRENCE_PERIOD",
    "REPORT_FILE_KINDS",
    "SCHEDULE_FIELDS",
    "TASK_FIELDS",
    "DirectiveData",
    "DirectiveExistsError",
    "NewUnit",
    "StoredFile",
    "SuccessorProposal",
    "TaskData",
    "check_directive_file",
    "check_report_files",
    "directive_create",
    "directive_create_with_tasks",
    "directive_hand_over",
    "directive_update",
    "draft_create",
    "draft_discard",
    "draft_file",
    "extension_decide",
    "extension_request",
    "extraction_review_record",
    "former_name",
    "hand_over_proposals",
    "has_occurrences",
    "occurrence_periods",
    "on_time_counts",
    "on_time_rate_indicator",
    "periods_containing",
    "report_accept",
    "report_return",
    "report_submit",
    "stats_publish",
    "stats_refresh_for",
    "succession_note",
    "successor_proposals",
    "task_cancel",
    "task_create",
    "task_delete",
    "task_update",
]
