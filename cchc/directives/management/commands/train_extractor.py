"""``cchc train_extractor [--output FILE] [--check] [--cross-validate]``: retrain the extractor's task labeller.

Reads the labelled real directives of the development set (``real_dev`` in ``tests/extraction/data/``, so it runs
from a checkout of the repository) and writes ``cchc/extraction/data/task_labeller.crfsuite``
(:mod:`cchc.extraction.learned`). The measurement set is never read.
"""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.extraction import learned, learned_training

_LABELLED_MODULE = "tests.extraction.labelled"


def _labelled_data() -> tuple[list[Any], dict[str, Any]]:
    try:
        labelled = importlib.import_module(_LABELLED_MODULE)
    except ImportError as error:
        raise CommandError(
            _("Không tìm thấy dữ liệu gán nhãn (tests/extraction/data); hãy chạy lệnh từ thư mục gốc của mã nguồn.")
        ) from error
    return labelled.documents(), labelled.memory_units()


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Huấn luyện lại bộ gán nhãn nhiệm vụ của bộ trích xuất từ các văn bản thật đã gán nhãn "
            "(tập phát triển real_dev) và ghi tệp mô hình."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            default=str(learned.MODEL_PATH),
            help=_("Tệp mô hình ghi ra (mặc định: tệp đi kèm gói)."),
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help=_("Không ghi gì: báo lỗi nếu tệp mô hình đi kèm khác với mô hình huấn luyện từ dữ liệu hiện có."),
        )
        parser.add_argument(
            "--cross-validate",
            action="store_true",
            help=_("Không ghi gì: in điểm kiểm định chéo (bỏ ra từng nhóm văn bản) của quy tắc và của mô hình."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        documents, units = _labelled_data()
        examples = learned_training.examples(documents, units)
        if not examples:
            raise CommandError(_("Không có văn bản nào của tập phát triển để huấn luyện."))
        if options["cross_validate"]:
            with tempfile.TemporaryDirectory() as work:
                result = learned_training.cross_validate(examples, Path(work))
            rules = result.rules
            self.stdout.write(f"rules alone       F1 {rules.f1:.3f} (P {rules.precision:.3f}, R {rules.recall:.3f})")
            for threshold, score in result.learned.items():
                self.stdout.write(
                    f"labeller >= {threshold:.2f}  F1 {score.f1:.3f} (P {score.precision:.3f}, R {score.recall:.3f})"
                )
            return
        if options["check"]:
            with tempfile.TemporaryDirectory() as work:
                fresh = Path(work) / "model.crfsuite"
                learned_training.train_model(examples, fresh)
                same = learned.MODEL_PATH.is_file() and fresh.read_bytes() == learned.MODEL_PATH.read_bytes()
            if not same:
                raise CommandError(
                    _("Tệp mô hình đi kèm không khớp với dữ liệu hiện có; hãy chạy lại: cchc train_extractor.")
                )
            self.stdout.write(_("Tệp mô hình đi kèm khớp với dữ liệu hiện có."))
            return
        output = Path(options["output"])
        learned_training.train_model(examples, output)
        self.stdout.write(
            _("Đã ghi %(path)s (%(documents)s văn bản, %(tasks)s đề xuất).")
            % {"path": output, "documents": len(examples), "tasks": sum(len(example.labels) for example in examples)}
        )
