"""Test modules share code through tests/helpers/ and conftest fixtures, never each other."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports, at any depth (`from x import y` counts x and x.y)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def is_test_module_or_conftest(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "tests" and any(
        part.startswith("test_") or part == "conftest" for part in parts[1:]
    )


def test_no_test_module_or_conftest_imports_another_test_module_or_a_conftest() -> None:
    files = sorted(TESTS.rglob("test_*.py")) + sorted(TESTS.rglob("conftest.py"))
    assert len(files) > 50, "the test files were not found"
    offenders = [
        f"{path.relative_to(TESTS.parent)} imports {module}"
        for path in files
        for module in imported_modules(path)
        if is_test_module_or_conftest(module)
    ]
    assert offenders == []


def test_the_check_sees_the_imports_it_forbids(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "from tests.test_wizard import persona\n"
        "import tests.conftest\n"
        "from tests.browser import test_respondent_keyboard\n"
        "def f():\n    from tests.browser.conftest import VNU\n"
        "from tests.helpers.wizard_driver import complete\n"
    )
    assert [m for m in imported_modules(sample) if is_test_module_or_conftest(m)] == [
        "tests.test_wizard",
        "tests.test_wizard.persona",
        "tests.conftest",
        "tests.browser.test_respondent_keyboard",
        "tests.browser.conftest",
        "tests.browser.conftest.VNU",
    ]


def test_only_tests_that_use_the_database_run_again_on_postgresql() -> None:
    from tests.helpers.database_use import uses_the_database

    assert uses_the_database(["request", "app", "make_app", "database_url"], "")
    assert uses_the_database(["live"], 'os.environ.get("TEST_DATABASE_URL")')
    assert uses_the_database(["tmp_path"], 'REDIS = os.environ.get("TEST_REDIS_URL")')
    assert not uses_the_database(["tmp_path"], "from assess.core import scoring")
