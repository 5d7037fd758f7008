"""`make lint` enforces the layers by package: a module is constrained by the folder it lives in,
so a new one that breaks a layer is refused without anyone adding it to a list (issue 15)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("tree")
    for folder in ("worker", "jobs", "notifications", "sheet_templates"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy)
    return copy


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        ("worker/core/fetch.py", "import urllib.request\n", "worker.core.fetch -> urllib"),
        ("worker/core/launch.py", "import subprocess\n", "worker.core.launch -> subprocess"),
        ("worker/core/peek.py", "import jobs.sync\n", "worker.core.peek -> jobs.sync"),
        (
            "worker/adapters/xlsx/cache.py",
            "import worker.adapters.store.db\n",
            "worker.adapters.xlsx.cache -> worker.adapters.store.db",
        ),
        (
            "worker/reports/send.py",
            "import smtplib\n",
            "worker.reports.send -> smtplib",
        ),
        ("jobs/peek.py", "import worker.adapters.google.read\n", "jobs.peek -> worker.adapters"),
    ],
    ids=["core_network", "core_process", "core_above", "adapters_apart", "reports_mail", "jobs"],
)
def test_a_new_module_that_breaks_a_layer_is_refused(
    tree: Path, module: str, source: str, broken: str
) -> None:
    added = tree / module
    added.write_text(source, "utf-8")
    try:
        result = lint(tree)
    finally:
        added.unlink()
    assert result.returncode == 1, result.stdout
    assert broken in result.stdout


def test_the_tree_as_it_is_keeps_every_contract(tree: Path) -> None:
    result = lint(tree)
    assert result.returncode == 0, result.stdout
    assert "BROKEN" not in result.stdout
