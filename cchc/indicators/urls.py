from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("external/", views.external_index, name="external_index"),
    path("external/import/", views.external_import, name="external_import"),
    path("external/template.xlsx", views.external_template, name="external_template"),
    path("external/<str:index_key>/<int:unit_id>/", views.external_province, name="external_province"),
]
