from django.urls import path

from . import views

app_name = "initiatives"
urlpatterns = [
    path("", views.initiative_list, name="initiative_list"),
    path("new/", views.initiative_create, name="initiative_create"),
    path("export.xlsx", views.register_export, name="export"),
    path("<int:initiative_id>/", views.initiative_detail, name="initiative_detail"),
    path("<int:initiative_id>/edit/", views.initiative_edit, name="initiative_edit"),
    path("<int:initiative_id>/withdraw/", views.initiative_withdraw, name="initiative_withdraw"),
    path("<int:initiative_id>/files/", views.file_add, name="file_add"),
    path("<int:initiative_id>/files/<int:file_id>/", views.file_download, name="file_download"),
    path("<int:initiative_id>/recognise/", views.initiative_recognise, name="initiative_recognise"),
    path("<int:initiative_id>/refuse/", views.initiative_refuse, name="initiative_refuse"),
    path("<int:initiative_id>/reopen/", views.initiative_reopen, name="initiative_reopen"),
    path("<int:initiative_id>/applied/", views.initiative_applied, name="initiative_applied"),
]
