"""The public survey links, outside the signed-in pages: ``/s/<token>/`` and its thank-you page."""

from django.urls import path

from .views import public_form, public_thanks

app_name = "survey_public"
urlpatterns = [
    path("<str:token>/", public_form, name="form"),
    path("<str:token>/thanks/", public_thanks, name="thanks"),
]
