"""The role check of `make api-test` fails a 2xx on a path the role may not see."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

HOOKS = Path(__file__).resolve().parents[2] / "scripts" / "api_schemathesis_hooks.py"


@pytest.fixture
def check():
    spec = importlib.util.spec_from_file_location("api_schemathesis_hooks", HOOKS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.role_may_not_see


def _case(path):
    return SimpleNamespace(path=path, method="GET", formatted_path=path)


def test_a_2xx_on_a_forbidden_path_fails(check, monkeypatch):
    monkeypatch.setenv("ORIENTA_FORBIDDEN", r"^/api/v1/people/")
    with pytest.raises(AssertionError):
        check(None, SimpleNamespace(status_code=200), _case("/api/v1/people/"))
    check(None, SimpleNamespace(status_code=403), _case("/api/v1/people/"))
    check(None, SimpleNamespace(status_code=200), _case("/api/v1/programs/"))
