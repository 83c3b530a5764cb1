"""Shared fixtures: the real data folder (tests using it skip when it is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


@pytest.fixture
def data_dir() -> Path:
    if not (DATA / "messages_train.csv").is_file():
        pytest.skip(f"real data not present at {DATA}")
    return DATA
