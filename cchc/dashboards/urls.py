from django.urls import path

from . import views
from .views import public as public_views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("public/", public_views.public_page, name="public"),
]
