"""Who may follow an import run: only its own author, so that nobody reads another person's upload report."""

from __future__ import annotations

from django.http import Http404

from cchc.accounts.models import User
from cchc.frameworks.models import Framework
from cchc.lib.ids import parse_id
from cchc.lib.types import Viewer

from .models import ImportRun


def get_import_run_for_user(
    user: Viewer, run_id: object, *, kind: str, framework: Framework | None = None
) -> ImportRun:
    """A run of ``kind`` its own author may follow; anybody else, or a malformed id, gets a 404."""
    if not isinstance(user, User):
        raise Http404
    pk = parse_id(run_id)
    runs = ImportRun.objects.filter(kind=kind, created_by=user)
    if framework is not None:
        runs = runs.filter(framework=framework)
    run = runs.filter(pk=pk).first() if pk is not None else None
    if run is None:
        raise Http404
    return run
