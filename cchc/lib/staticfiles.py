"""Static files shipped inside installed Python packages, served like the project's own (no CDN).

:data:`PACKAGE_FILES` names each file by the URL path it gets under ``STATIC_URL`` and the package and file it comes
from; only those files are exposed, not the rest of the package.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# URL path under STATIC_URL → (package, file inside the package).
PACKAGE_FILES = {
    "vendor/plotly/plotly.min.js": ("plotly", "package_data/plotly.min.js"),
}


def _source(package: str, name: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / name
    return path if path.is_file() else None


class PackageFileFinder(BaseFinder):
    """Finds the files of :data:`PACKAGE_FILES` for ``runserver``/WhiteNoise and ``collectstatic``."""

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        found = PACKAGE_FILES.get(path)
        source = _source(*found) if found else None
        if source is None:
            return [] if find_all or kwargs.get("all") else None
        return [str(source)] if find_all or kwargs.get("all") else str(source)

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for url_path, (package, name) in PACKAGE_FILES.items():
            source = _source(package, name)
            if source is None:
                continue
            storage = FileSystemStorage(location=str(source.parent))
            storage.prefix = str(Path(url_path).parent)  # type: ignore[attr-defined]
            yield source.name, storage
