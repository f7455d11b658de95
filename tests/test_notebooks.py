"""The six notebooks run top to bottom on the bundled corpus (nbclient, kernel python3) and
are committed without outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))


def test_six_notebooks():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_", "06_"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_with_parameters(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), "strip outputs"
    assert "parameters" in code[0]["metadata"].get("tags", []), "first code cell must be tagged 'parameters'"
    assert "experiments/demo.toml" in "".join(code[0]["source"])
    source = "\n".join("".join(c["source"]) for c in code)
    assert "sys.path" not in source and 'Path("..")' not in source and "import toolkit" not in source.replace("from toolkit", "")


def _execute(path: Path, cache_dir: Path) -> list[str]:
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    # papermill-style injected parameters: fewer embedding epochs keep CI short
    params = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    if "EPOCHS" in nb.cells[params].source:
        injected = nbformat.v4.new_code_cell("EPOCHS = 10")
        injected.metadata["tags"] = ["injected-parameters"]
        nb.cells.insert(params + 1, injected)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=600,
                                     resources={"metadata": {"path": str(cache_dir)}})  # fmt: skip
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        return [f"{path.name}: {str(exc)[-2000:]}"]
    return []


@pytest.mark.slow
def test_notebooks_run_top_to_bottom(tmp_path, monkeypatch):
    """All six in one test, in order, so they share one cached demo run (also under xdist)."""
    pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    monkeypatch.setenv("FNT_CACHE", str(tmp_path))  # one cached demo run shared by the notebooks
    monkeypatch.setenv("MPLBACKEND", "Agg")
    failures = [msg for path in NOTEBOOKS for msg in _execute(path, tmp_path)]
    assert not failures, "\n\n".join(failures)
