from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_list, name="indicator_list"),
    path("new/", views.indicator_create, name="indicator_create"),
    path("enter/", views.entry_list, name="entry_list"),
    path("review/", views.review_queue, name="review_queue"),
    path("import/", views.import_page, name="import"),
    path("import/template/<str:kind>.xlsx", views.import_template, name="import_template"),
    path("export/values.xlsx", views.values_export, name="values_export"),
    path("export/targets.xlsx", views.targets_export, name="targets_export"),
    path("<int:indicator_id>/", views.indicator_detail, name="indicator_detail"),
    path("<int:indicator_id>/edit/", views.indicator_edit, name="indicator_edit"),
    path("<int:indicator_id>/public/", views.indicator_public, name="indicator_public"),
    path("<int:indicator_id>/targets/new/", views.target_create, name="target_create"),
    path("<int:indicator_id>/targets/<int:target_id>/edit/", views.target_edit, name="target_edit"),
    path("<int:indicator_id>/targets/<int:target_id>/delete/", views.target_delete, name="target_delete"),
    path("<int:indicator_id>/enter/<int:unit_id>/<str:period_key>/", views.value_edit, name="value_edit"),
    path("values/<int:value_id>/", views.value_detail, name="value_detail"),
    path("values/<int:value_id>/submit/", views.value_submit, name="value_submit"),
    path("values/<int:value_id>/accept/", views.value_accept, name="value_accept"),
    path("values/<int:value_id>/return/", views.value_return, name="value_return"),
    path("values/<int:value_id>/evidence/", views.evidence_add, name="evidence_add"),
    path("values/<int:value_id>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("values/<int:value_id>/evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
    path("external/", views.external_index, name="external_index"),
    path("external/import/", views.external_import, name="external_import"),
    path("external/template.xlsx", views.external_template, name="external_template"),
    path("external/<str:index_key>/table/", views.external_table, name="external_table"),
    path("external/<str:index_key>/table.xlsx", views.external_table_export, name="external_table_export"),
    path("external/<str:index_key>/<int:unit_id>/", views.external_province, name="external_province"),
    path(
        "external/<str:index_key>/<int:unit_id>/export.xlsx",
        views.external_province_export,
        name="external_province_export",
    ),
    path(
        "external/<str:index_key>/<int:unit_id>/responsible/<str:code>/",
        views.external_responsible,
        name="external_responsible",
    ),
]
