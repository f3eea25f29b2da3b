from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("", views.dossier_list, name="dossier_list"),
    path("export.xlsx", views.dossier_list_export, name="dossier_list_export"),
    path("dossiers/<int:dossier_id>/", views.dossier_detail, name="dossier_detail"),
    path("aggregates/", views.aggregate_list, name="aggregate_list"),
    path("catalogue/", views.procedure_list, name="procedure_list"),
    path("imports/", views.import_history, name="import_history"),
    path("imports/catalogue/", views.import_catalogue, name="import_catalogue"),
    path("imports/dossiers/", views.import_dossiers, name="import_dossiers"),
    path("imports/aggregates/", views.import_aggregates, name="import_aggregates"),
    path("imports/runs/<int:run_id>/", views.import_run, name="import_run"),
    path("imports/runs/<int:run_id>/columns/", views.import_columns, name="import_columns"),
    path("imports/runs/<int:run_id>/errors.xlsx", views.import_errors, name="import_errors"),
    path("imports/presets/", views.preset_list, name="preset_list"),
    path("imports/presets/<int:preset_id>/", views.preset_detail, name="preset_detail"),
    path("imports/presets/<int:preset_id>/delete/", views.preset_delete, name="preset_delete"),
    path("imports/presets/shipped/<slug:name>/", views.preset_detail, name="shipped_preset_detail"),
    path("kpis/", views.kpi_table_page, name="kpi_table"),
    path("kpis/publish/", views.kpi_publish_page, name="kpi_publish"),
    path("kpis/units/<int:unit_id>/", views.kpi_unit_page, name="kpi_unit"),
    path("kpis/units/<int:unit_id>/dossiers/<str:kind>/", views.kpi_dossiers_page, name="kpi_dossiers"),
    path("kpis/units/<int:unit_id>/dossiers/<str:kind>/export.xlsx", views.kpi_dossiers_export, name="kpi_export"),
    path("kpis/scoring/", views.score_item_list, name="score_item_list"),
    path("kpis/scoring/<int:item_id>/edit/", views.score_item_edit, name="score_item_edit"),
]
