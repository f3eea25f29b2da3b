"""The shape of the code: the import picture has no loops, apps keep their private names, scoping is written once.

The picture is read from the source by ``cchc.testing.architecture`` (``python -m cchc.testing.architecture`` prints
it); ``docs/architecture.md`` draws the layers these tests hold the code to.
"""

from __future__ import annotations

from pathlib import Path

from cchc.testing import architecture
from cchc.testing.architecture import layer_of, read_picture


def test_no_module_imports_itself_through_a_loop_of_imports() -> None:
    assert architecture.module_cycles(read_picture()) == []


def test_the_layers_of_the_apps_import_each_other_in_one_direction_only() -> None:
    assert architecture.layer_cycles(read_picture()) == []


def test_no_app_imports_a_private_name_of_another_app() -> None:
    assert read_picture().private == []


def test_subtree_filters_outside_organisations_go_through_its_helpers() -> None:
    assert architecture.hand_written_scopes() == []


def test_the_package_imports_its_own_modules_at_the_top_of_each_module() -> None:
    assert architecture.imports_inside_functions() == []


def test_models_and_rules_never_import_pages() -> None:
    picture = read_picture()
    wrong = [
        f"{source} → {target}"
        for source, targets in picture.edges.items()
        for target in targets
        if layer_of(source) in {"models", "core"} and layer_of(target) == "pages"
    ]
    assert wrong == []


def test_the_extractor_imports_no_app() -> None:
    picture = read_picture()
    wrong = [
        f"{source} → {target}"
        for source, targets in picture.edges.items()
        if source.startswith("cchc.extraction")
        for target in targets
        if not target.startswith(("cchc.extraction", "cchc.lib"))
    ]
    assert wrong == []


def test_every_app_with_pages_has_its_access_module() -> None:
    package = Path(architecture.PACKAGE)
    apps_with_views = {path.parent.parent.name for path in package.glob("*/views/__init__.py")}
    missing = sorted(app for app in apps_with_views if not (package / app / "access.py").exists())
    assert apps_with_views, "no app with a views package was found"
    assert missing == []


def test_the_reader_sees_a_loop_an_import_inside_a_function_and_a_private_name(tmp_path: Path) -> None:
    """The checks above can fail: a made-up tree with each fault is reported."""
    root = tmp_path / "cchc"
    for app in ("alpha", "beta"):
        (root / app).mkdir(parents=True)
        (root / app / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "alpha" / "services.py").write_text("from cchc.beta.views import page\n")
    (root / "beta" / "views.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from cchc.alpha.models import Ignored\n"
        "def page():\n    from cchc.alpha.services import _secret\n    return _secret\n"
    )
    (root / "alpha" / "models.py").write_text("")
    original_root = architecture.ROOT
    architecture.ROOT = tmp_path
    try:
        picture = read_picture(sorted(root.rglob("*.py")))
    finally:
        architecture.ROOT = original_root
    assert architecture.module_cycles(picture) == [["cchc.alpha.services", "cchc.beta.views"]]
    assert picture.private == [("cchc.beta.views", "cchc.alpha.services", "_secret")]
    assert "cchc.alpha.models" not in picture.edges["cchc.beta.views"]
    assert layer_of("cchc.alpha.services") == "core"
    assert layer_of("cchc.beta.views") == "pages"
