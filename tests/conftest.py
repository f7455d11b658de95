"""Shared fixtures: paths to the bundled corpus and to ../shared/data (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT / "corpus"
SHARED_DATA = ROOT.parent / "shared" / "data"
SEED_ID = "seed-000-4aed66ba79373d17"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the checkout; tests using it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real-data test: {SHARED_DATA} not found (it sits beside the checkout in CI)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def lemonde_path(shared_data: Path) -> Path:
    path = shared_data / "lemonde2022" / "lemonde_2022.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"real-data test: {path} not found")
    return path


@pytest.fixture(scope="session")
def bundled_corpus_dir(tmp_path_factory) -> Path:
    """The bundled corpus ingested once per test session (read-only for tests)."""
    from toolkit.corpus.ingest import ingest

    out = tmp_path_factory.mktemp("bundled") / "corpus"
    ingest([CORPUS_DIR], out, progress=False)
    return out
