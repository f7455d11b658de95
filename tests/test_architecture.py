"""The package's layout: stages as packages, no import cycle, imports only from earlier stages."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import check_imports  # noqa: E402

STAGES = ["corpus", "annotation", "vocabulary", "topics", "embeddings", "report", "experiment", "commands"]


def test_no_import_cycle() -> None:
    assert check_imports.cycles(check_imports.import_graph()) == []


def test_no_import_from_a_later_stage() -> None:
    assert check_imports.upward_imports(check_imports.import_graph()) == []


def test_no_module_over_the_limit() -> None:
    assert check_imports.oversized() == []


def test_checker_finds_a_cycle_and_an_upward_import() -> None:
    graph = {"toolkit.corpus.a": {"toolkit.corpus.b"}, "toolkit.corpus.b": {"toolkit.corpus.a"},
             "toolkit.vocabulary.x": {"toolkit.topics.y"}, "toolkit.topics.y": set()}  # fmt: skip
    assert check_imports.cycles(graph) == [["toolkit.corpus.a", "toolkit.corpus.b"]]
    assert check_imports.upward_imports(graph) == [("toolkit.vocabulary.x", "toolkit.topics.y")]


def test_function_level_and_lazy_imports_count() -> None:
    graph = check_imports.import_graph()
    # readers.py loads the sources (registering their readers) ...
    assert "toolkit.corpus.sources" in graph["toolkit.corpus.readers"]
    # ... and a function-level import of a lazily exported name points at its module
    assert "toolkit.annotation.taggers" in graph["toolkit.annotation.annotate"]


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_is_a_documented_package(stage: str) -> None:
    module = importlib.import_module(f"toolkit.{stage}")
    assert module.__file__.endswith("__init__.py")
    assert module.__doc__ and len(module.__doc__.strip()) > 40


def test_readers_register_in_one_registry() -> None:
    from toolkit.corpus.readers import reader_for
    from toolkit.corpus.registry import READERS
    from toolkit.corpus.sources import read_feed_file

    assert READERS[".xml"] is read_feed_file and READERS[".jsonl"].__module__ == "toolkit.corpus.readers"
    assert reader_for(Path("x.rss")) is read_feed_file


def test_command_line_script_passes() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "check_imports.py")],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("stage", STAGES)
def test_no_export_is_shadowed_by_a_submodule(stage: str) -> None:
    """A re-exported name equal to a submodule's name would turn into the module once the
    submodule is imported (``from toolkit.experiment import run`` must stay the function)."""
    package = importlib.import_module(f"toolkit.{stage}")
    submodules = {p.stem for p in Path(package.__file__).parent.glob("*.py")}
    assert not set(getattr(package, "_EXPORTS", {})) & submodules
