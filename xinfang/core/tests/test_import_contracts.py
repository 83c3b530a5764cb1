"""The import contracts (pyproject.toml, run by `make contracts`) cover what the Makefile calls the
pure cores: a typed pure module left out of the contract could start importing Django unnoticed."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _make_variable(text: str, name: str) -> list[str]:
    joined = text.replace("\\\n", " ")
    line = next(line for line in joined.splitlines() if line.startswith(f"{name} :="))
    return line.split(":=", 1)[1].split()


def _pure_core_files() -> set[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = _make_variable(makefile, "MYPY_TARGETS")
    assert "$(wildcard" in " ".join(targets)  # textintel's pure modules are every module but the app's
    django_side = {pattern.removeprefix("%/") for pattern in _make_variable(makefile, "TEXTINTEL_DJANGO")}
    textintel = {
        f"xinfang/textintel/{path.name}"
        for path in (ROOT / "xinfang" / "textintel").glob("*.py")
        if path.name not in django_side
    }
    return {t for t in targets if t.endswith(".py")} | textintel


def test_the_pure_core_contract_lists_exactly_the_makefiles_pure_cores() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}
    listed = set(contracts["pure-cores"]["source_modules"])
    assert listed == {path.removesuffix(".py").replace("/", ".") for path in _pure_core_files()}


def test_make_test_runs_the_contracts() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    test_line = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "contracts" in test_line.split()
    assert "lint-imports" in makefile
