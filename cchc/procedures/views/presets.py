"""The column presets: the saved ones (view, delete after a confirmation) and the shipped ones (read-only, with the
documents their layouts come from). The secretariat and administrators only (:func:`access.can_import_dossiers`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from cchc.accounts import roles
from cchc.lib.ids import id_or_404

from .. import access, presets, selectors, services
from ..models import Channel, DossierAggregate, DossierStatus, ImportPreset
from ..parsing import FIELD_LABELS

DATE_FORMAT_LABELS = {
    presets.DMY: gettext_lazy("ngày/tháng/năm (dd/mm/yyyy) hoặc ô ngày của Excel"),
    presets.PORTAL_TIMESTAMP: gettext_lazy("yyyyMMddHHmmss (dữ liệu Cổng DVCQG)"),
}
MEANINGS = {
    "status": dict(DossierStatus.choices),
    "channel": dict(Channel.choices),
}


@dataclass(frozen=True)
class Line:
    label: str
    values: list[str]


def _require_importer(request: HttpRequest) -> None:
    roles.require(access.can_import_dossiers(request.user))


def _dossier_lines(preset: presets.Preset) -> tuple[list[Line], list[tuple[str, list[tuple[str, str]]]]]:
    columns = [
        Line(str(FIELD_LABELS.get(name, name)), list(preset.columns[name]))
        for name in presets.FIELDS
        if name in preset.columns
    ]
    codes = []
    for name, table in preset.codes.items():
        meanings = MEANINGS.get(name, {})
        codes.append(
            (
                str(FIELD_LABELS.get(name, name)),
                [(raw, str(meanings.get(value, value))) for raw, value in table.items()],
            )
        )
    return columns, codes


def _aggregate_lines(preset: presets.AggregatePreset) -> list[Line]:
    lines = [Line(_("Cột xác định dòng"), list(preset.row_labels))]
    for name, path in preset.counts.items():
        field = DossierAggregate._meta.get_field(name)
        label = str(getattr(field, "verbose_name", name))
        lines.append(Line(label, [" › ".join(path)]))
    return lines


@require_GET
@login_required
def preset_list(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    return render(
        request,
        "procedures/presets/list.html",
        {
            "saved": list(ImportPreset.objects.order_by("name")),
            "shipped": [*presets.SHIPPED.values(), *presets.AGGREGATES.values()],
            "nav_active": "procedures",
            "can_import": True,
        },
    )


def _shipped(name: str) -> presets.Preset | presets.AggregatePreset:
    found = presets.SHIPPED.get(name) or presets.AGGREGATES.get(name)
    if found is None:
        raise Http404
    return found


@require_GET
@login_required
def preset_detail(request: HttpRequest, preset_id: int | None = None, name: str = "") -> HttpResponse:
    """One preset: its field → header texts mapping, value codes and date format (a shipped preset by its name)."""
    _require_importer(request)
    saved: ImportPreset | None = None
    if preset_id is not None:
        saved = get_object_or_404(ImportPreset, pk=id_or_404(preset_id))
        preset: presets.Preset | presets.AggregatePreset = presets.Preset.from_saved(saved)
    else:
        preset = _shipped(name)
    context: dict[str, Any] = {"preset": preset, "saved": saved, "nav_active": "procedures", "can_import": True}
    if isinstance(preset, presets.AggregatePreset):
        context["lines"] = _aggregate_lines(preset)
        context["aggregate"] = True
    else:
        context["lines"], context["codes"] = _dossier_lines(preset)
        context["date_format"] = DATE_FORMAT_LABELS.get(preset.date_format, preset.date_format)
    return render(request, "procedures/presets/detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def preset_delete(request: HttpRequest, preset_id: int) -> HttpResponse:
    """Delete a saved preset after a confirmation page (shipped presets are not rows: nothing to delete)."""
    _require_importer(request)
    saved = get_object_or_404(ImportPreset, pk=id_or_404(preset_id))
    if request.method == "POST":
        name = saved.name
        services.preset_delete(actor=request.user, preset=saved)
        messages.success(request, _("Đã xóa mẫu cột “%(name)s”.") % {"name": name})
        return redirect("procedures:preset_list")
    return render(
        request,
        "procedures/presets/delete.html",
        {
            "saved": saved,
            # Imports that wait for a worker or run with this preset: they keep their own copy of the mapping.
            "runs": [run for run in selectors.runs_using_preset(saved.name)[:20] if run.options.get("mapping")][:10],
            "nav_active": "procedures",
            "can_import": True,
        },
    )


__all__ = ["preset_delete", "preset_detail", "preset_list"]
