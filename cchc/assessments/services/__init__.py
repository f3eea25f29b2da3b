"""Writes for the PAR INDEX cycle: rounds, self-assessment, evidence, appraisal, explanation, council approval.

Every function is keyword-only, atomic and leaves audit entries; every change of a score at every stage is recorded
with its old and new values (and the reason, when there is one), which is also what the per-leaf history shows.

Who may call what is decided by :mod:`cchc.assessments.access` in the views and the API; the functions here
enforce the rules of the cycle itself: stages (:mod:`.stages`), statuses, deadlines, locks, valid points and
optimistic locking of scores. One module per subject: :mod:`.rounds`, :mod:`.sheets` (self-assessment and the
secretariat's decisions on a sheet), :mod:`.evidence`, :mod:`.appraisal`, :mod:`.explanations`, :mod:`.entries`
(a leaf's entry as read). What a leaf's rule asks for and what an entry is worth is read by
:mod:`cchc.frameworks.rule_inputs`; its public names are re-exported here, as is :func:`cchc.lib.numbers.format_points`.
"""

from __future__ import annotations

from cchc.frameworks.rule_inputs import (
    AUTO_RULE_KINDS,
    DEFAULT_STEP,
    RATE_MAX,
    RULE_ORDER,
    InputKind,
    RuleInput,
    check_points,
    entry_field,
    input_kind,
    is_auto,
    parse_points,
    require_rule_entry,
    resolve_input,
    rule_text,
    step_of,
)
from cchc.lib.numbers import format_points

from ..models import EDITABLE_STATUSES, EXPLAINABLE_STATUSES
from ..selectors import score_is_done
from ._common import ASSESSMENT_AUDIT_FIELDS, SCORE_AUDIT_FIELDS
from .appraisal import BulkAcceptResult, SkippedScore, score_appraise, scores_accept_bulk
from .entries import choices_for, declared_text
from .evidence import EVIDENCE_KINDS, evidence_add_file, evidence_add_reference, evidence_delete
from .explanations import explanation_add
from .rounds import (
    DEADLINE_FIELDS,
    ROUND_AUDIT_FIELDS,
    RoundData,
    approval_gaps,
    awaiting_approval_message,
    awaits_council_approval,
    blocking_sheets,
    grade_bands_text,
    next_stage,
    parse_grade_bands,
    round_advance,
    round_approve,
    round_create,
    round_update,
    unsubmitted_sheets,
)
from .sheets import (
    assessment_close_by_office,
    assessment_extend_deadline,
    assessment_prefill,
    assessment_reopen,
    assessment_submit,
    score_self_set,
)

__all__ = [
    "ASSESSMENT_AUDIT_FIELDS",
    "AUTO_RULE_KINDS",
    "DEADLINE_FIELDS",
    "DEFAULT_STEP",
    "EDITABLE_STATUSES",
    "EVIDENCE_KINDS",
    "EXPLAINABLE_STATUSES",
    "RATE_MAX",
    "ROUND_AUDIT_FIELDS",
    "RULE_ORDER",
    "SCORE_AUDIT_FIELDS",
    "BulkAcceptResult",
    "InputKind",
    "RoundData",
    "RuleInput",
    "SkippedScore",
    "approval_gaps",
    "assessment_close_by_office",
    "assessment_extend_deadline",
    "assessment_prefill",
    "assessment_reopen",
    "assessment_submit",
    "awaiting_approval_message",
    "awaits_council_approval",
    "blocking_sheets",
    "check_points",
    "choices_for",
    "declared_text",
    "entry_field",
    "evidence_add_file",
    "evidence_add_reference",
    "evidence_delete",
    "explanation_add",
    "format_points",
    "grade_bands_text",
    "input_kind",
    "is_auto",
    "next_stage",
    "parse_grade_bands",
    "parse_points",
    "require_rule_entry",
    "resolve_input",
    "round_advance",
    "round_approve",
    "round_create",
    "round_update",
    "rule_text",
    "score_appraise",
    "score_is_done",
    "score_self_set",
    "scores_accept_bulk",
    "step_of",
    "unsubmitted_sheets",
]
