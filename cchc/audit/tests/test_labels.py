"""The audit trail names every changed field in Vietnamese, for the records of every app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

import cchc
from cchc.audit.models import AuditAction, AuditEntry
from cchc.audit.selectors import EXTRA_FIELD_LABELS, field_label

PACKAGE_DIR = Path(cchc.__file__).resolve().parent


def _project_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("cchc.") and model._meta.app_label != "audit"
    ]


def test_every_field_of_every_record_has_a_vietnamese_label():
    raw = []
    for model in _project_models():
        for field in model._meta.get_fields():
            if not isinstance(field, models.Field) or field.auto_created:
                continue
            label = field_label(model._meta.label_lower, field.name)
            if label in (field.name, field.name.replace("_", " ").capitalize()):
                raw.append(f"{model._meta.label_lower}.{field.name}")
    assert raw == []


def _keys_written_by_name() -> dict[str, str]:
    """Keys the code writes into an entry's ``changes`` by name: dict literals given to or built for ``record``."""
    keys: dict[str, str] = {}
    for path in PACKAGE_DIR.rglob("*.py"):
        if {"tests", "migrations"} & set(path.parts):
            continue
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef):
                continue
            calls = [
                node
                for node in ast.walk(function)
                if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "record"
            ]
            dicts = [
                node
                for call in calls
                for keyword in call.keywords
                if keyword.arg == "changes"
                for node in ast.walk(keyword.value)
                if isinstance(node, ast.Dict)
            ]
            constants: list[ast.expr | None] = []
            for node in ast.walk(function) if calls else ():
                if not isinstance(node, ast.Assign):
                    continue
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id in {"changes", "before"}:
                        dicts += [node.value] if isinstance(node.value, ast.Dict) else []
                    if isinstance(target, ast.Subscript) and getattr(target.value, "id", "") == "changes":
                        constants.append(target.slice)
            constants += [key for node in dicts for key in node.keys]
            for constant in constants:
                if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
                    keys.setdefault(constant.value, f"{path.relative_to(PACKAGE_DIR)}:{function.name}")
    return keys


def test_every_key_a_service_writes_by_name_has_a_label_whatever_the_record():
    keys = _keys_written_by_name()
    assert {"assignments", "review_pending", "due_date", "results_created"} <= set(keys)
    assert {key: where for key, where in keys.items() if key not in EXTRA_FIELD_LABELS} == {}


# An entry of each app as its services write them: (record type, changes, labels shown, raw names never shown).
ENTRIES = [
    ("organisations.unit", {"name": ["A", "B"], "predecessors": [None, ["Xã A"]]}, ["Tên đơn vị", "Đơn vị tiền thân"]),
    ("accounts.roleassignment", {"role": [None, "secretariat"], "scope": [None, "Tỉnh"]}, ["Vai trò", "Phạm vi"]),
    ("accounts.apitoken", {"name": [None, "Máy chủ tỉnh"]}, ["Tên"]),
    ("frameworks.framework", {"criteria": [10, 12]}, ["Số tiêu chí"]),
    ("assessments.assessment", {"framework": [None, "Bộ 2025"], "leaves": [None, 66]}, ["Bộ tiêu chí"]),
    ("assessments.evidence", {"file_size": [None, 2048], "sha256": [None, "ab" * 32]}, ["Dung lượng tệp (byte)"]),
    ("assessments.round", {"results_created": 48, "results_updated": 0}, ["Số kết quả tính mới"]),
    ("directives.task", {"assignments": [None, 3], "units": [None, ["Xã A"]]}, ["Số lượt phân công"]),
    (
        "directives.progressreport",
        {"review_pending": [False, True], "completed_on": [None, "2026-03-01"], "attachments": [None, ["a.pdf"]]},
        ["Chờ xác nhận hoàn thành", "Ngày hoàn thành", "Tệp đính kèm"],
    ),
    ("directives.extensionrequest", {"due_date": ["2026-03-01", "2026-04-01"]}, ["Hạn hoàn thành"]),
    ("directives.assignment", {"status": [None, "Hoàn thành đúng hạn"]}, ["Trạng thái"]),
    ("indicators.indicatorvalue", {"value": [None, "66.67"], "period": [None, "2026"]}, ["Giá trị", "Kỳ"]),
]


@pytest.mark.parametrize(("object_type", "changes", "labels"), ENTRIES, ids=[entry[0] for entry in ENTRIES])
def test_the_entry_page_names_the_changed_fields_in_vietnamese(personas, object_type, changes, labels):
    entry = AuditEntry.objects.create(
        actor=personas.secretariat,
        actor_label=personas.secretariat.display_name,
        action=AuditAction.UPDATE,
        object_type=object_type,
        object_id="1",
        object_repr="Bản ghi thử",
        unit=personas.province,
        unit_path=personas.province.path,
        changes=changes,
    )
    html = personas.client("secretariat").get(reverse("audit:entry_detail", args=[entry.pk])).content.decode()
    for label in labels:
        assert f'<th scope="row">{label}</th>' in html
    for key in changes:
        assert f'<th scope="row">{key}</th>' not in html
        assert f'<th scope="row">{key.replace("_", " ").capitalize()}</th>' not in html


def test_a_role_in_the_changes_is_shown_by_its_name(personas):
    entry = AuditEntry.objects.create(
        action=AuditAction.CREATE,
        object_type="accounts.roleassignment",
        object_id="1",
        object_repr="Phân quyền",
        unit=personas.province,
        unit_path=personas.province.path,
        changes={"role": [None, "secretariat"]},
    )
    html = personas.client("secretariat").get(reverse("audit:entry_detail", args=[entry.pk])).content.decode()
    assert ">secretariat<" not in html
    assert "Cơ quan thường trực" in html


def test_an_indicator_value_entry_shows_the_number_and_period_as_people_read_them(personas):
    entry = AuditEntry.objects.create(
        action=AuditAction.UPDATE,
        object_type="indicators.indicatorvalue",
        object_id="1",
        object_repr="Tỷ lệ nhiệm vụ hoàn thành đúng hạn, Xã Hòa Bình, Năm 2026: 66,67 %",
        unit=personas.province,
        unit_path=personas.province.path,
        changes={"value": ["50.0000", "66.6700"], "period": [None, "2026-Q3"]},
    )
    html = personas.client("secretariat").get(reverse("audit:entry_detail", args=[entry.pk])).content.decode()
    assert "<td>66,67</td>" in html
    assert "<td>50</td>" in html
    assert "<td>Quý III/2026</td>" in html
    assert "66.6700" not in html
