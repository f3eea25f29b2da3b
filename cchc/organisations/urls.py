from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("<int:unit_id>/", views.unit_detail, name="unit_detail"),
]
