from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("export.xlsx", views.register_export, name="export"),
    path("<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("<int:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:plan_id>/add/", views.inspection_add, name="inspection_add"),
    path("<int:plan_id>/approve/", views.plan_approve, name="plan_approve"),
    path("<int:plan_id>/close/", views.plan_close, name="plan_close"),
    path("inspection/<int:inspection_id>/", views.inspection_detail, name="inspection_detail"),
    path("inspection/<int:inspection_id>/edit/", views.inspection_edit, name="inspection_edit"),
    path("inspection/<int:inspection_id>/delete/", views.inspection_delete, name="inspection_delete"),
    path("inspection/<int:inspection_id>/findings/", views.finding_create, name="finding_create"),
    path("finding/<int:finding_id>/delete/", views.finding_delete, name="finding_delete"),
]
