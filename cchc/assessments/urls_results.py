"""Result pages of a round (included from ``cchc.assessments.urls``, so names live in the ``assessments`` namespace)."""

from django.urls import path

from . import views_results as views

urlpatterns = [
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
