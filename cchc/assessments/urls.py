from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:round_id>/", views.round_detail, name="round_detail"),
    path("rounds/<int:round_id>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<int:round_id>/advance/", views.round_advance, name="round_advance"),
    path("rounds/<int:round_id>/approve/", views.round_approve, name="round_approve"),
    path("rounds/<int:round_id>/sheets/<int:assessment_id>/decide/", views.sheet_decide, name="sheet_decide"),
    path("rounds/<int:round_id>/table/", views.round_table, name="round_table"),
    path("rounds/<int:round_id>/appraisal/", views.appraisal_list, name="appraisal_list"),
    path("rounds/<int:round_id>/appraisal/accept/", views.appraisal_accept, name="appraisal_accept"),
    path("<int:assessment_id>/", views.assessment_detail, name="assessment_detail"),
    path("<int:assessment_id>/submit/", views.assessment_submit, name="assessment_submit"),
    path("<int:assessment_id>/reopen/", views.assessment_reopen, name="assessment_reopen"),
    path("<int:assessment_id>/appraisal/", views.appraisal_sheet, name="appraisal_sheet"),
    path("<int:assessment_id>/evidence/upload/", views.evidence_upload, name="evidence_upload"),
    path("<int:assessment_id>/evidence/reference/", views.evidence_reference, name="evidence_reference"),
    path("<int:assessment_id>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("<int:assessment_id>/evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
    path("scores/search/", views.score_search, name="score_search"),
    path("scores/<int:score_id>/", views.score_detail, name="score_detail"),
    path("scores/<int:score_id>/self/", views.score_self, name="score_self"),
    path("scores/<int:score_id>/appraise/", views.score_appraise, name="score_appraise"),
    path("scores/<int:score_id>/explain/", views.score_explain, name="score_explain"),
    # A round's results, rankings, documents and public page.
    path("results/", views.results_index, name="results_index"),
    path("results/<int:round_id>/", views.ranking_page, name="results_ranking"),
    path("results/<int:round_id>/points-lost/", views.points_lost_page, name="results_points_lost"),
    path("results/<int:round_id>/units/<int:assessment_id>/", views.unit_result, name="results_unit"),
    path("results/<int:round_id>/ranking.xlsx", views.ranking_download, name="results_ranking_xlsx"),
    path("results/<int:round_id>/decision.docx", views.decision_download, name="results_decision_docx"),
    path("results/<int:round_id>/points-lost.xlsx", views.points_lost_download, name="results_points_lost_xlsx"),
    path(
        "results/<int:round_id>/units/<int:assessment_id>/sheet.xlsx",
        views.scoring_sheet_download,
        name="results_unit_sheet_xlsx",
    ),
    path(
        "results/<int:round_id>/units/<int:assessment_id>/remediation-plan.xlsx",
        views.remediation_plan_download,
        name="results_remediation_plan_xlsx",
    ),
    path(
        "results/<int:round_id>/units/<int:assessment_id>/remediation-tasks/",
        views.remediation_tasks_unit,
        name="results_remediation_tasks",
    ),
    path(
        "results/<int:round_id>/points-lost/remediation-tasks/",
        views.remediation_tasks_round,
        name="results_points_lost_tasks",
    ),
    path("public/<int:round_id>/", views.public_results, name="results_public"),
]
