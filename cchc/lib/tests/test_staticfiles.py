"""The static files taken from installed packages are found and served like the project's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from cchc.lib.staticfiles import PACKAGE_FILES, PackageFileFinder


@pytest.mark.parametrize("url_path", list(PACKAGE_FILES))
def test_every_package_file_is_found_where_the_pages_ask_for_it(url_path: str) -> None:
    found = finders.find(url_path)
    assert found and Path(found).is_file() and Path(found).stat().st_size > 100_000


def test_collectstatic_lists_only_the_named_files_of_a_package() -> None:
    listed = [(storage.prefix, name) for name, storage in PackageFileFinder().list([])]  # type: ignore[attr-defined]
    assert listed == [("vendor/plotly", "plotly.min.js")]


def test_a_path_that_is_not_named_is_not_found() -> None:
    assert PackageFileFinder().find("vendor/plotly/widgetbundle.js") is None
    assert PackageFileFinder().find("vendor/plotly/plotly.min.js", find_all=True)


@pytest.mark.django_db
def test_the_plotly_bundle_is_served_without_collectstatic() -> None:
    response = Client().get("/static/vendor/plotly/plotly.min.js")
    assert response.status_code == 200
