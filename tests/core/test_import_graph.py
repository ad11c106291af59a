"""Imports between apps run one way, downward (docs/architecture.md, "Dependencies").

Every ``.py`` file of every app is parsed with ``ast`` (no code runs), each import, at the top of
the module or inside a function, is mapped to the app it names, and an import of an app declared
above the importing one fails the test. The one exception: an app's registration modules may import
the engine they register into (``import_kinds.py`` → the import engine, ``personal_data.py`` → the
ARCO engine), as an app's ``admin.py`` imports ``django.contrib.admin``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# From the bottom up: an app may import the apps before it in this list, never those after it.
# Nested apps (a package inside another app's folder) are apps of their own here.
LAYERS: list[str] = [
    "orientation",
    "orientation.mfa",
    "cases",
    "cases.imports",
    "cases.arco",
    "services",
    "services.sport",
    "reception",
    "field",
    "reports",
    "reports.dhis2",
    "api",
    "seeds",
]

# Registration modules (by file name) and the engine each may import whatever the order says.
SEAMS: dict[str, str] = {"import_kinds.py": "cases.imports", "personal_data.py": "cases.arco"}


def app_of(module: str) -> str | None:
    """The app a dotted module name belongs to: the longest declared app it starts with."""
    found = None
    for app in LAYERS:
        if module == app or module.startswith(app + "."):
            if found is None or len(app) > len(found):
                found = app
    return found


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """Every module an import statement of ``source`` names (relative imports resolved), with its line."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # ``from cases import selectors`` names cases.selectors.
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names if alias.name != "*"]
    return found


def upward_imports(source: str, module: str, *, file_name: str = "", is_package: bool = False) -> list[str]:
    """The imports of ``source`` (the module ``module``) that go up the declared order."""
    own = app_of(module)
    if own is None:
        return []
    problems: dict[int, str] = {}
    for line, name in imported_modules(source, module, is_package=is_package):
        target = app_of(name)
        if target is None or target == own or line in problems:
            continue
        if SEAMS.get(file_name) == target:
            continue
        if LAYERS.index(target) > LAYERS.index(own):
            problems[line] = f"{module}:{line} ({own}) imports {name} ({target}), which is above it"
    return list(problems.values())


def app_files() -> list[Path]:
    tops = {app.split(".")[0] for app in LAYERS}
    return sorted(path for top in tops for path in (ROOT / top).rglob("*.py"))


def test_every_app_is_declared_once_and_exists():
    assert len(LAYERS) == len(set(LAYERS))
    for app in LAYERS:
        assert (ROOT / app.replace(".", "/") / "apps.py").exists(), app


def test_imports_between_apps_run_downward():
    problems = []
    files = app_files()
    assert len(files) > 100  # the walk found the code
    for path in files:
        problems += upward_imports(
            path.read_text(encoding="utf-8"),
            module_name(path),
            file_name=path.name,
            is_package=path.name == "__init__.py",
        )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("module", "source", "file_name"),
    [
        # At the top of a module, and hidden inside a function.
        ("cases.selectors", "from services.models import Referral\n", "selectors.py"),
        ("cases.selectors", "def f():\n    from services.sport import models\n", "selectors.py"),
        ("orientation.views", "import reports.selectors\n", "views.py"),
        ("services.actions", "from reports.counting import compute\n", "actions.py"),
        # A nested app is above its parent: the parent may not import it...
        ("cases.views", "from .imports.views import import_upload\n", "views.py"),
        # ...except in the registration module of that engine, and only that one.
        ("cases.import_kinds", "from .arco.policy import POLICY\n", "import_kinds.py"),
    ],
)
def test_an_upward_import_is_caught(module, source, file_name):
    assert upward_imports(source, module, file_name=file_name)


@pytest.mark.parametrize(
    ("module", "source", "file_name"),
    [
        ("services.selectors", "from cases.models import Person\n", "selectors.py"),
        ("services.sport.views", "from ..models import Referral\n", "views.py"),
        ("reports.counting", "from services.sport.models import Attendance\n", "counting.py"),
        ("cases.import_kinds", "from .imports.registry import register\n", "import_kinds.py"),
        ("cases.personal_data", "from cases.arco.policy import policy_register\n", "personal_data.py"),
        ("cases.views", "from django.db import models\nimport json\n", "views.py"),
    ],
)
def test_a_downward_or_outside_import_passes(module, source, file_name):
    assert not upward_imports(source, module, file_name=file_name)
