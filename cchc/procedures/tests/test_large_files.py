"""A large CSV export through the command line: read and written as a stream, memory growing only with the codes.

The 200 MB run itself is in ``bench/dossiers.py`` (``--rows 1250000``, figures in docs/performance.md); here the
same property on files of 5,000 and 20,000 rows.
"""

from __future__ import annotations

import datetime
import io
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import call_command

from cchc.testing.personas import Personas

from ..models import Dossier
from . import samples

pytestmark = pytest.mark.django_db

HEADER = "MaHoSo,MaTTHC,MaDonVi,NgayTiepNhan,NgayHenTra,NgayKetThucXuLy,TrangThaiHoSo,KenhThucHien,LePhi\n"


def _portal_csv(path: Path, rows: int, unit: str, prefix: str) -> Path:
    first = datetime.date(2025, 1, 1)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for number in range(rows):
            received = first + datetime.timedelta(days=number % 300)
            due = received + datetime.timedelta(days=5)
            finished = received + datetime.timedelta(days=number % 9)
            handle.write(
                f"{prefix}{number:08d},{samples.BIRTH},{unit},{received:%Y%m%d}083000,{due:%Y%m%d}170000,"
                f"{finished:%Y%m%d}160000,10,{1 + number % 3},{(number % 4) * 25000}\n"
            )
    return path


def _peak_bytes(path: Path, source: str) -> int:
    tracemalloc.start()
    try:
        out = io.StringIO()
        call_command("import_dossiers", str(path), "--source", source, "--preset", "dvcqg-dong-bo", stdout=out)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "thêm mới" in out.getvalue()
    return peak


def test_a_large_csv_is_imported_from_the_command_line_with_memory_growing_only_with_its_codes(
    tmp_path: Path, personas: Personas
) -> None:
    samples.make_procedures()
    unit = personas.unit_b.code
    small = _peak_bytes(_portal_csv(tmp_path / "small.csv", 5_000, unit, "A"), "Nguồn nhỏ")
    large = _peak_bytes(_portal_csv(tmp_path / "large.csv", 20_000, unit, "B"), "Nguồn lớn")
    assert Dossier.objects.filter(source="Nguồn lớn").count() == 20_000
    # Four times the rows: the peak grows by the 15,000 codes kept for the duplicate check (about 55 bytes each here),
    # not by the rows (a parsed row and its cells are several times that).
    assert large - small < 15_000 * 150
    assert large < 6 * 1024 * 1024
