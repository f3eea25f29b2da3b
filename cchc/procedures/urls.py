from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("kpis/", views.kpi_table_page, name="kpi_table"),
    path("kpis/units/<int:unit_id>/", views.kpi_unit_page, name="kpi_unit"),
    path("kpis/units/<int:unit_id>/dossiers/<str:kind>/", views.kpi_dossiers_page, name="kpi_dossiers"),
    path("kpis/units/<int:unit_id>/dossiers/<str:kind>/export.xlsx", views.kpi_dossiers_export, name="kpi_export"),
    path("kpis/scoring/", views.score_item_list, name="score_item_list"),
    path("kpis/scoring/<int:item_id>/edit/", views.score_item_edit, name="score_item_edit"),
]
