from django.urls import path

from . import views

app_name = "frameworks"
urlpatterns = [
    path("", views.framework_list, name="framework_list"),
    path("new/", views.framework_create, name="framework_create"),
    path("samples/", views.sample_load, name="sample_load"),
    path("criteria/search/", views.criterion_search, name="criterion_search"),
    path("<int:framework_id>/", views.framework_detail, name="framework_detail"),
    path("<int:framework_id>/edit/", views.framework_edit, name="framework_edit"),
    path("<int:framework_id>/delete/", views.framework_delete, name="framework_delete"),
    path("<int:framework_id>/clone/", views.framework_clone, name="framework_clone"),
    path("<int:framework_id>/diff/", views.framework_diff, name="framework_diff"),
    path("<int:framework_id>/export/", views.framework_export, name="framework_export"),
    path("<int:framework_id>/import/", views.framework_import, name="framework_import"),
    path("<int:framework_id>/criteria/new/", views.criterion_create, name="criterion_create"),
    path("<int:framework_id>/criteria/<int:criterion_id>/edit/", views.criterion_edit, name="criterion_edit"),
    path("<int:framework_id>/criteria/<int:criterion_id>/delete/", views.criterion_delete, name="criterion_delete"),
]
