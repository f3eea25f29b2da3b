"""A learned second opinion on the proposed tasks: a linear-chain CRF over the tasks of a document.

The rules (:mod:`.core`) propose tasks; this module reads the proposals of one document in order, as a sequence,
and labels each one ``keep`` (a task as proposed), ``undated`` (a task, but the deadline the rules gave it is not
its own) or ``drop`` (not a task of its own: an explanation, a repeated lead-in, a target). Its features are what
the rules already know (the rule that read the lead and the deadline, their confidence, whether the lead is a
registry unit or a name as written) and the layout (the section marker's kind and depth, the length and opening
words of the content, the position in the document), with those of the neighbouring proposals; the chain lets a
run of items under one heading be judged together.

The model (``data/task_labeller.crfsuite``) is trained on the labelled real directives of the development set
(``real_dev`` in ``tests/extraction/data/``) by ``cchc train_extractor``; the training is deterministic (documents
in index order, fixed L-BFGS settings), so the same data gives the same model. Without the model file, or without
``python-crfsuite``, the rules alone decide and a warning is logged once.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from cchc.lib.dates import fold_aligned

from .evaluation import Resolver, _leads_match, deadline_key
from .rules import fire

try:
    import pycrfsuite
except ImportError:  # pragma: no cover - the dependency is pinned; without it the rules decide alone
    pycrfsuite = None

if TYPE_CHECKING:
    from .core import ProposedTask

logger = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent / "data" / "task_labeller.crfsuite"
LABELS = ("keep", "undated", "drop")
# Whether :func:`cchc.extraction.extract_text` consults the model unless told otherwise.
ENABLED_BY_DEFAULT = False
# A proposal is dropped (or loses its deadline) only when the model gives that label at least this probability.
THRESHOLD = 0.8
# L-BFGS settings of the training, chosen by leave-documents-out cross-validation on the development set.
TRAINING_PARAMS: dict[str, Any] = {"c1": 0.1, "c2": 3.0, "max_iterations": 200, "feature.possible_transitions": True}

_WORD_RE = re.compile(r"[a-z0-9]+")


def _marker_kind(section: str) -> str:
    section = section.strip().rstrip(".)")
    if not section:
        return "none"
    if section in {"-", "+", "•", "*", "–"}:
        return "bullet"
    if re.fullmatch(r"[IVXLC]+", section):
        return "roman"
    if re.fullmatch(r"\d+", section):
        return "number"
    if re.fullmatch(r"\d+(?:\.\d+)+", section):
        return "decimal"
    if re.fullmatch(r"\(?\d+\)?", section):
        return "bracket"
    if re.fullmatch(r"[a-zđ]", section):
        return "letter"
    return "other"


_CONTENT_CUES = {
    "target": re.compile(r"%|(?<![a-z])(?:dat|phan\s+dau|ty\s+le|chi\s+tieu)(?![a-z])"),
    "lead_verb": re.compile(r"^\s*(?:chu\s+tri|la\s+co\s+quan|tham\s+muu)"),
    "support_verb": re.compile(r"^\s*phoi\s+hop"),
    "cross_reference": re.compile(r"tai\s+(?:muc|diem|khoan)\s"),
    "report": re.compile(r"bao\s+cao"),
    "assign_inside": re.compile(r"(?<![a-z])(?:giao|de\s+nghi|yeu\s+cau)\s"),
    "time_field": re.compile(r"^\s*(?:thoi\s+(?:gian|han)|tien\s+do|san\s+pham|co\s+quan)"),
    "about": re.compile(r"^\s*ve\s"),
    "person": re.compile(r"^\s*(?:dong\s+chi|bo\s+truong|chu\s+tich|giam\s+doc|thu\s+truong)"),
}
_LEAD_CUES = {
    "person": re.compile(r"(?:bo\s+truong|chu\s+tich|giam\s+doc|thu\s+truong|dong\s+chi|truong\s+ban|chanh)"),
    "plural": re.compile(r"(?:^|\s)cac\s"),
    "list": re.compile(r","),
    "dash": re.compile(r"\s-\s"),
}


def _path_parts(path: str) -> list[str]:
    return [part for part in re.split(r"\.(?![0-9])|(?<=\))", path) if part][:4]


def _bucket(value: int, edges: Sequence[int]) -> str:
    for edge in edges:
        if value <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


def _task_features(task: ProposedTask) -> dict[str, Any]:
    rules = task.rules
    lead_rule = rules.get("lead_unit", "")
    deadline_rule = rules.get("deadline", "")
    content = fold_aligned(task.content)
    words = _WORD_RE.findall(content)
    lead = fold_aligned(task.lead_unit or "")
    lead_words = _WORD_RE.findall(lead)
    features: dict[str, Any] = {
        "bias": 1.0,
        "lead_rule=" + lead_rule.removesuffix(".inherited"): 1.0,
        "lead_inherited": float(lead_rule.endswith(".inherited")),
        "deadline_rule=" + (deadline_rule.removesuffix(".inherited") or "none"): 1.0,
        "deadline_inherited": float(deadline_rule.endswith(".inherited")),
        "has_deadline": float(task.deadline is not None),
        "has_recurrence": float(bool(task.recurrence)),
        "deadline_text_only": float(task.deadline is None and not task.recurrence and bool(task.deadline_text)),
        "lead_in_registry": float(task.lead_unit_id is not None or bool(task.lead_unit_ids)),
        "lead_units=" + _bucket(len(task.lead_unit_ids), (0, 1, 3)): 1.0,
        "unknown_units": float(bool(task.unknown_units)),
        "supporting": float(bool(task.supporting_units)),
        "marker=" + _marker_kind(task.section): 1.0,
        "depth=" + _bucket(task.section_path.count(".") + 1 if task.section_path else 0, (0, 1, 2, 3)): 1.0,
        "content_words=" + _bucket(len(words), (3, 8, 15, 30, 60, 120)): 1.0,
        "lead_words=" + _bucket(len(lead_words), (1, 3, 6, 10)): 1.0,
        "content_has_colon_end": float(task.content.rstrip().endswith(":")),
        "content_in_lead": float(bool(lead) and lead in content),
        "has_output": float(bool(task.output)),
    }
    for index, word in enumerate(words[:3]):
        features[f"w{index}={word}"] = 1.0
    for word in dict.fromkeys(words[3:12]):
        features[f"w={word}"] = 1.0
    for name, pattern in _CONTENT_CUES.items():
        if pattern.search(content):
            features[f"cue={name}"] = 1.0
    for name, pattern in _LEAD_CUES.items():
        if pattern.search(lead):
            features[f"lead_cue={name}"] = 1.0
    raw_lead = task.lead_unit or ""
    features["lead_upper"] = float(raw_lead.isupper())
    features["content_opens_with_lead"] = float(bool(lead) and content.startswith(lead[:20]))
    features["path=" + ">".join(_marker_kind(part) for part in _path_parts(task.section_path))] = 1.0
    if len(words) >= 2:
        features[f"w01={words[0]}_{words[1]}"] = 1.0
    if lead_words:
        features[f"lead0={lead_words[0]}"] = 1.0
        if len(lead_words) >= 2:
            features[f"lead01={lead_words[0]}_{lead_words[1]}"] = 1.0
    for key, value in task.confidence.items():
        features[f"conf_{key}"] = float(value)
    return features


def sequence_features(tasks: Sequence[ProposedTask]) -> list[dict[str, Any]]:
    """The features of each proposed task of a document, with those of its neighbours and its place."""
    own = [_task_features(task) for task in tasks]
    count = len(tasks)
    leads: dict[str, int] = {}
    parents: dict[str, int] = {}
    for task in tasks:
        leads[task.lead_unit or ""] = leads.get(task.lead_unit or "", 0) + 1
        parents[_parent(task)] = parents.get(_parent(task), 0) + 1
    table_share = sum(task.rules.get("lead_unit") == "lead.table_cell" for task in tasks) / max(count, 1)
    result: list[dict[str, Any]] = []
    for index, task in enumerate(tasks):
        features = dict(own[index])
        features["position=" + _bucket(int(10 * index / max(count, 1)), (1, 3, 6, 8))] = 1.0
        features["tasks_in_document=" + _bucket(count, (3, 10, 30, 80))] = 1.0
        features["same_lead_in_document=" + _bucket(leads[task.lead_unit or ""], (1, 2, 4, 8, 16))] = 1.0
        features["siblings=" + _bucket(parents[_parent(task)], (1, 2, 4, 8, 16))] = 1.0
        features["table_share"] = round(table_share, 2)
        for offset, name in ((-1, "prev"), (1, "next")):
            other = index + offset
            if not 0 <= other < count:
                features[f"{name}:none"] = 1.0
                continue
            neighbour = tasks[other]
            features[f"{name}:same_lead"] = float((neighbour.lead_unit or "") == (task.lead_unit or ""))
            features[f"{name}:same_deadline"] = float(deadline_key_of(neighbour) == deadline_key_of(task))
            features[f"{name}:same_parent"] = float(_parent(neighbour) == _parent(task))
            features[f"{name}:same_marker"] = float(_marker_kind(neighbour.section) == _marker_kind(task.section))
            for key in own[other]:
                if key.startswith(("lead_rule=", "marker=", "deadline_rule=")):
                    features[f"{name}:{key}"] = 1.0
        result.append(features)
    return result


def _parent(task: ProposedTask) -> str:
    path = task.section_path
    return path[: len(path) - len(task.section)] if task.section and path.endswith(task.section) else path


def deadline_key_of(task: ProposedTask) -> str:
    return str(task.deadline.isoformat() if task.deadline else task.recurrence or "")


# --- labels for training -----------------------------------------------------------------------------------------


def reference_labels(
    expected: list[dict[str, Any]], extracted: list[dict[str, Any]], resolve: Resolver | None
) -> list[str]:
    """What each proposal should have been labelled, from the hand-written tasks (as the benchmark scores them).

    The proposals the (lead, deadline) score matches are ``keep``; of the others, one whose lead matches a labelled
    task without a deadline that nothing matched is ``undated``; the rest are ``drop``.
    """
    used: set[int] = set()
    matched_expected: set[int] = set()
    for wanted_index, wanted in enumerate(expected):
        for index, found in enumerate(extracted):
            if (
                index not in used
                and _leads_match(wanted, found, resolve)
                and deadline_key(wanted) == deadline_key(found)
            ):
                used.add(index)
                matched_expected.add(wanted_index)
                break
    labels: list[str] = []
    undated_free = [
        index for index, wanted in enumerate(expected) if index not in matched_expected and not deadline_key(wanted)
    ]
    for index, found in enumerate(extracted):
        if index in used:
            labels.append("keep")
            continue
        if deadline_key(found):
            partner = next((other for other in undated_free if _leads_match(expected[other], found, resolve)), None)
            if partner is not None:
                undated_free.remove(partner)
                labels.append("undated")
                continue
        labels.append("drop")
    return labels


# --- training ----------------------------------------------------------------------------------------------------

Sequence_ = tuple[list[dict[str, Any]], list[str]]


def train(sequences: Iterable[Sequence_], model_path: Path, params: dict[str, Any] | None = None) -> None:
    """Train the labeller on (features, labels) sequences, in the order given, and write it to ``model_path``."""
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for features, labels in sequences:
        if features:
            trainer.append(pycrfsuite.ItemSequence(features), labels)
    trainer.set_params(dict(params or TRAINING_PARAMS))
    model_path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model_path))


# --- applying ----------------------------------------------------------------------------------------------------


class Labeller:
    """A trained model, ready to label the proposals of a document."""

    def __init__(self, model_path: Path) -> None:
        if pycrfsuite is None:
            raise ImportError("python-crfsuite is not installed")
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(model_path))

    def probabilities(self, tasks: Sequence[ProposedTask]) -> list[dict[str, float]]:
        if not tasks:
            return []
        self.tagger.set(pycrfsuite.ItemSequence(sequence_features(tasks)))
        self.tagger.tag()
        known = set(self.tagger.labels())
        return [
            {label: (self.tagger.marginal(label, index) if label in known else 0.0) for label in LABELS}
            for index in range(len(tasks))
        ]


def model_path() -> Path:
    """The model file: the setting ``EXTRACTION_TASK_LABELLER`` when set, else the one shipped in the package."""
    return Path(getattr(settings, "EXTRACTION_TASK_LABELLER", None) or MODEL_PATH)


def default_labeller() -> Labeller | None:
    """The model of :func:`model_path`, or None (with a warning logged once) when it or ``python-crfsuite`` is
    missing."""
    return _labeller_at(model_path())


@functools.cache
def _labeller_at(path: Path) -> Labeller | None:
    return load_labeller(path)


def load_labeller(model_path: Path) -> Labeller | None:
    if not model_path.is_file():
        logger.warning("Task labeller model %s not found; the extraction rules decide alone.", model_path)
        return None
    try:
        return Labeller(model_path)
    except (ImportError, OSError, ValueError) as error:
        logger.warning("Task labeller model %s not usable (%s); the extraction rules decide alone.", model_path, error)
        return None


def refine(
    tasks: list[ProposedTask],
    labeller: Labeller | Callable[[], Labeller | None] | None = default_labeller,
    threshold: float = THRESHOLD,
) -> list[ProposedTask]:
    """The proposals the model keeps, with the deadline removed from those it labels ``undated``.

    Each change is counted like a rule (``learned.dropped``, ``learned.undated``; ``bench/extraction.py --rules``),
    and a removed deadline is written in the task's ``rules`` (``learned.undated``), so the JSON says the model, not
    a rule, decided.
    """
    model = labeller() if callable(labeller) else labeller
    if model is None or not tasks:
        return tasks
    kept: list[ProposedTask] = []
    for task, probability in zip(tasks, model.probabilities(tasks), strict=True):
        if probability["drop"] >= threshold:
            fire("learned.dropped")
            continue
        if probability["undated"] >= threshold and (task.deadline is not None or task.recurrence):
            fire("learned.undated")
            _undate(task)
        kept.append(task)
    return kept


def _undate(task: ProposedTask) -> None:
    task.deadline = None
    task.deadline_text = ""
    task.recurrence = ""
    task.period_key = ""
    task.deadline_doubt = ""
    task.sources.pop("deadline", None)
    task.confidence.pop("deadline", None)
    task.rules["deadline"] = "learned.undated"
