"""make test runs the static checks before any test (issue 24): ruff with the selection in
pyproject.toml, and mypy (scripts/typecheck.sh) over the business layer of every app. This pins
the wiring and the scope; the checks themselves run in scripts/test.sh, not here."""

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _apps() -> list[Path]:
    return sorted(p.parent for p in ROOT.glob("*/apps.py"))


def test_make_test_runs_ruff_and_mypy_before_pytest():
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    ruff, mypy, pytest = script.index("ruff check"), script.index("scripts/typecheck.sh"), script.index("-m pytest")
    assert ruff < pytest and mypy < pytest
    assert "mypy" in (ROOT / "scripts" / "typecheck.sh").read_text(encoding="utf-8")


def test_mypy_checks_the_business_layer_of_every_app():
    mypy = CONFIG["tool"]["mypy"]
    assert "mypy_django_plugin.main" in mypy["plugins"]
    assert mypy["check_untyped_defs"] and mypy["warn_unused_ignores"]
    assert not mypy.get("ignore_missing_imports"), "ignore missing imports per module, not globally"
    domain = [o for o in mypy["overrides"] if "*.domain" in o["module"]]
    assert domain and domain[0]["disallow_untyped_defs"]
    targets = [path for app in _apps() for path in (app / "domain", app / "services.py", app / "selectors.py")
               if path.exists()]
    assert len(targets) >= 30
    for path in targets:
        rel = path.relative_to(ROOT).as_posix() + ("/" if path.is_dir() else "")
        assert any(fnmatch.fnmatch(rel, pattern) for pattern in mypy["files"]), rel


def test_ruff_selects_the_inert_noqa_rule():
    lint = CONFIG["tool"]["ruff"]["lint"]
    assert "RUF" in lint["select"] and "RUF100" not in lint.get("ignore", [])
