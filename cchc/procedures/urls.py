from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("", views.dossier_list, name="dossier_list"),
    path("dossiers/<int:dossier_id>/", views.dossier_detail, name="dossier_detail"),
    path("catalogue/", views.procedure_list, name="procedure_list"),
    path("imports/", views.import_history, name="import_history"),
    path("imports/catalogue/", views.import_catalogue, name="import_catalogue"),
    path("imports/dossiers/", views.import_dossiers, name="import_dossiers"),
    path("imports/aggregates/", views.import_aggregates, name="import_aggregates"),
    path("imports/runs/<int:run_id>/", views.import_run, name="import_run"),
    path("imports/runs/<int:run_id>/columns/", views.import_columns, name="import_columns"),
    path("imports/runs/<int:run_id>/errors.xlsx", views.import_errors, name="import_errors"),
]
