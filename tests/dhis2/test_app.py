"""DHIS2 is an app of its own nested in reports: its tasks are found by Celery's autodiscovery,
and nothing below it imports it (reports hears nothing of it but through a signal)."""

import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
# Who may name the DHIS2 app: the project's settings and urls, and the reference data (seeds sit
# above every app). Everything else is below it.
ALLOWED = {"orientation/settings/base.py", "orientation/urls.py", "seeds/reference.py"}
IMPORTS = re.compile(
    r"^\s*(from|import)\s+(reports\.dhis2|\.dhis2)\b|include\(\"reports\.dhis2", re.MULTILINE
)


def test_it_is_an_app_with_its_label():
    config = apps.get_app_config("dhis2")
    assert config.name == "reports.dhis2"
    assert {m._meta.label for m in config.get_models()} >= {"dhis2.DHIS2Push", "dhis2.DHIS2Server"}


def test_celery_autodiscovery_finds_the_push_task():
    from celery.loaders.base import find_related_module

    from orientation.celery import app

    assert "reports.dhis2" in [c.name for c in apps.get_app_configs()]  # what autodiscover_tasks() reads
    module = find_related_module("reports.dhis2", "tasks")
    assert module.__name__ == "reports.dhis2.tasks"
    app.loader.import_default_modules()
    assert "reports.dhis2.tasks.dhis2_push_task" in app.tasks


def test_imports_go_downward_only():
    offenders = []
    packages = [d for d in ROOT.iterdir() if (d / "__init__.py").exists() and not d.is_symlink()]
    assert {"orientation", "cases", "services", "reports", "api", "seeds"} <= {d.name for d in packages}
    for path in (p for d in packages for p in d.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(("reports/dhis2/", "tests/")):
            continue
        if IMPORTS.search(path.read_text(encoding="utf-8")) and relative not in ALLOWED:
            offenders.append(relative)
    assert not offenders, f"these import reports.dhis2: {offenders}"


def test_the_check_sees_an_import():
    assert IMPORTS.search("from reports.dhis2.models import DHIS2Push\n")
    assert IMPORTS.search("    from .dhis2 import tasks\n")
    assert not IMPORTS.search("# reports.dhis2 is mentioned in a comment\n")
