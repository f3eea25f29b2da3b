from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("new/", views.unit_create, name="unit_create"),
    path("export/", views.unit_export, name="unit_export"),
    path("import/", views.unit_import, name="unit_import"),
    path("search/", views.unit_search, name="unit_search"),
    path("<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("<int:unit_id>/edit/", views.unit_edit, name="unit_edit"),
    path("<int:unit_id>/move/", views.unit_move, name="unit_move"),
    path("<int:unit_id>/merge/", views.unit_merge, name="unit_merge"),
    path("<int:unit_id>/split/", views.unit_split, name="unit_split"),
    path("<int:unit_id>/delete/", views.unit_delete, name="unit_delete"),
    path("<int:unit_id>/members/add/", views.membership_add, name="membership_add"),
    path("<int:unit_id>/members/<int:membership_id>/edit/", views.membership_edit, name="membership_edit"),
    path("<int:unit_id>/members/<int:membership_id>/remove/", views.membership_remove, name="membership_remove"),
]
