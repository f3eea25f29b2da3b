"""Settings of the server that ``surveys.py`` measures: the production settings, with the URLs of the product plus
one no-op view (:mod:`surveys_urls`). Nothing else changes; the run's limits (throttling) come from the environment
as in production."""

from cchc.settings_production import *  # noqa: F403

ROOT_URLCONF = "surveys_urls"
