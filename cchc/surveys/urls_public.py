"""The public survey links, outside the signed-in pages: ``/s/<token>/`` and its thank-you page, and the
invited respondents' one-time links ``/s/i/<token>/``."""

from django.urls import path

from .views import invited_form, invited_thanks, public_form, public_thanks

app_name = "survey_public"
urlpatterns = [
    # The one-time links of invited respondents come first: ``i`` is no collection point's token.
    path("i/<str:token>/", invited_form, name="invited"),
    path("i/<str:token>/thanks/", invited_thanks, name="invited_thanks"),
    path("<str:token>/", public_form, name="form"),
    path("<str:token>/thanks/", public_thanks, name="thanks"),
]
