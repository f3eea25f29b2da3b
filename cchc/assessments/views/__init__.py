"""Pages of the PAR INDEX workflow: rounds (``rounds``), a unit's sheet and its evidence (``sheets``), one leaf
(``scores``), the appraiser's worklist and sheet (``appraisal``), a round's results, rankings, documents and public
page (``results``)."""

from .appraisal import appraisal_accept, appraisal_list, appraisal_sheet
from .results import (
    decision_download,
    points_lost_download,
    points_lost_page,
    public_results,
    ranking_download,
    ranking_page,
    remediation_plan_download,
    remediation_tasks_round,
    remediation_tasks_unit,
    results_index,
    scoring_sheet_download,
    unit_result,
)
from .rounds import (
    round_advance,
    round_approve,
    round_create,
    round_detail,
    round_edit,
    round_list,
    round_table,
    sheet_decide,
)
from .scores import score_appraise, score_detail, score_explain, score_self
from .sheets import (
    assessment_detail,
    assessment_reopen,
    assessment_submit,
    evidence_delete,
    evidence_download,
    evidence_reference,
    evidence_upload,
    score_search,
)

__all__ = [
    "appraisal_accept",
    "appraisal_list",
    "appraisal_sheet",
    "assessment_detail",
    "assessment_reopen",
    "assessment_submit",
    "decision_download",
    "evidence_delete",
    "evidence_download",
    "evidence_reference",
    "evidence_upload",
    "points_lost_download",
    "points_lost_page",
    "public_results",
    "ranking_download",
    "ranking_page",
    "remediation_plan_download",
    "remediation_tasks_round",
    "remediation_tasks_unit",
    "results_index",
    "round_advance",
    "round_approve",
    "round_create",
    "round_detail",
    "round_edit",
    "round_list",
    "round_table",
    "score_appraise",
    "score_detail",
    "score_explain",
    "score_search",
    "score_self",
    "scoring_sheet_download",
    "sheet_decide",
    "unit_result",
]
