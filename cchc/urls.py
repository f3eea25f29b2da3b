from django.urls import include, path
from django.views.i18n import set_language

from .api import api
from .maintenance.views import health

urlpatterns = [
    # First: the public survey form is the most requested page, and no other prefix starts with "s/".
    path("s/", include("cchc.surveys.urls_public")),
    path("", include("cchc.dashboards.urls")),
    path("accounts/", include("cchc.accounts.urls")),
    path("units/", include("cchc.organisations.urls")),
    path("audit/", include("cchc.audit.urls")),
    path("frameworks/", include("cchc.frameworks.urls")),
    path("indicators/", include("cchc.indicators.urls")),
    path("assessments/", include("cchc.assessments.urls")),
    path("directives/", include("cchc.directives.urls")),
    path("procedures/", include("cchc.procedures.urls")),
    path("surveys/", include("cchc.surveys.urls")),
    path("reports/", include("cchc.reports.urls")),
    path("inspections/", include("cchc.inspections.urls")),
    path("initiatives/", include("cchc.initiatives.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
    path("healthz", health, name="health"),
]
