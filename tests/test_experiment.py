"""Experiment configs (validation, defaults, paths) and runs (cache, reproducibility, kill -9)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toolkit.errors import ConfigError
from toolkit.experiment import StageCache, load_config, resolve_config, run

ROOT = Path(__file__).resolve().parents[1]

SMALL = """
[experiment]
name = "small"
seed = 7

[corpus]
sources = ["{corpus}"]

[vocabulary]
phrase_min_count = 3

[topics]
model = "lda"
k = {k}
themes = "none"

[topics.params]
iterations = 50

[report]
ldavis = false
"""


def _write(tmp: Path, k: int = 4, name: str = "x.toml") -> Path:
    p = tmp / name
    p.write_text(SMALL.format(corpus=ROOT / "corpus", k=k), encoding="utf-8")
    return p


# --------------------------------------------------------------------------- config


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[topics]\nkk = 3\n", "unknown key 'topics.kk' in .*x.toml; known keys: topics.model, topics.k"),
        ("[vocabulary]\nunits = 'lemma'\n", "unknown key 'vocabulary.units'.*vocabulary.unit,"),
        ("[topicz]\nk = 3\n", r"unknown section \[topicz\].*known sections: experiment, corpus"),
        ("[topics]\nk = 'ten'\n", "'topics.k'.*should be like 20"),
        ("[topics.params]\npasses_ = 3\n", "unknown parameter.*passes_"),
        ("[annotation]\nmode = 'slow'\n", "annotation.mode must be 'fast' or 'accurate'"),
        ("[evaluation]\ncoherence = ['c_x']\n", "unknown measure 'c_x'"),
        ("[report]\neffects = [3]\n", "report.effects must be a list of covariates"),
        ("[report]\neffects_draws = 0\n", "report.effects_draws must be a positive integer"),
    ],
)
def test_bad_config_names_the_key(tmp_path, toml, message):
    p = tmp_path / "x.toml"
    p.write_text('[corpus]\nsources = ["c"]\n' + toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(p)


def test_defaults_are_written_out_and_paths_are_relative_to_the_file(tmp_path):
    from toolkit.vocabulary import VocabularyConfig

    sub = tmp_path / "experiments"
    sub.mkdir()
    p = sub / "e.toml"
    p.write_text('[corpus]\nsources = ["../corpus"]\n[topics]\nk = 5\n', encoding="utf-8")
    cfg = load_config(p)
    assert set(cfg.section("vocabulary")) == set(VocabularyConfig().to_dict())
    from toolkit.topics import make_model

    default_iterations = make_model("lda", 5, 0).get_params()["iterations"]
    assert cfg.section("topics")["params"]["iterations"] == default_iterations  # estimator default, written out
    assert cfg.section("experiment")["seed"] == 42
    assert cfg.resolve(cfg.section("corpus")["sources"][0]) == sub / "../corpus"
    assert cfg.default_out() == sub / "runs" / "experiment"
    # the resolved config is plain JSON and resolves to itself
    again = resolve_config(json.loads(json.dumps(cfg.to_dict())))
    assert again.to_dict() == cfg.to_dict()


def test_shipped_experiments_load():
    for name in ("demo.toml", "lemonde2022.toml"):
        cfg = load_config(ROOT / "experiments" / name)
        assert cfg.seed == 42
    lm = load_config(ROOT / "experiments" / "lemonde2022.toml")
    assert lm.section("topics")["k"] == 20 and lm.section("annotation")["mode"] == "fast"
    assert lm.resolve(lm.section("corpus")["sources"][0]).resolve() == (
        ROOT.parent / "shared" / "data" / "lemonde2022" / "lemonde_2022.jsonl.gz"
    )


def test_stage_cache_is_atomic(tmp_path):
    cache = StageCache(tmp_path)
    with pytest.raises(RuntimeError):
        with cache.build("s", "sha256:abc", {}) as tmp:
            (tmp / "half.txt").write_text("x")
            raise RuntimeError("killed")
    assert cache.get("s", "sha256:abc") is None
    assert list(tmp_path.iterdir()) == [] or all(p.name == ".lock" for p in tmp_path.iterdir())
    with cache.build("s", "sha256:abc", {"a": 1}) as tmp:
        (tmp / "done.txt").write_text("y")
    assert (cache.get("s", "sha256:abc") / "done.txt").read_text() == "y"


# --------------------------------------------------------------------------- runs


@pytest.mark.slow
def test_run_twice_from_scratch_is_byte_identical_and_k_change_reuses_stages(tmp_path):
    cfg = _write(tmp_path)
    a = run(cfg, tmp_path / "a", progress=False, report=False)
    b = run(cfg, tmp_path / "b", progress=False, report=False)
    for name in ("document_topics.csv", "topic_terms.csv", "topics.json"):
        assert (a.run_dir / name).read_bytes() == (b.run_dir / name).read_bytes(), name
    assert (a.run_dir / "model" / "output.npz").read_bytes() == (b.run_dir / "model" / "output.npz").read_bytes()
    m = a.manifest
    assert m["seed"] == 7 and m["corpus"]["content_hash"].startswith("sha256:")
    assert {s["stage"] for s in m["stages"]} >= {"corpus", "annotation", "vocabulary", "topics", "evaluation"}
    assert m["peak_memory_mb"] > 0 and m["started"] and m["finished"]
    assert "gensim" in m["versions"]
    resolved = json.loads((a.run_dir / "config.json").read_text())
    assert resolved["topics"]["k"] == 4 and "no_below" in resolved["vocabulary"]
    topics = json.loads((a.run_dir / "topics.json").read_text())
    assert len(topics) == 4 and set(topics[0]) == {"id", "label", "terms", "display"} and len(topics[0]["terms"]) == 25
    header = (a.run_dir / "document_topics.csv").read_text().splitlines()[0]
    assert header == "doc_id,topic_0,topic_1,topic_2,topic_3"

    # changing only k: corpus, annotation and vocabulary come from the cache
    cfg5 = _write(tmp_path, k=5, name="x5.toml")
    c = run(cfg5, tmp_path / "a", progress=False, report=False)
    cached = {s["stage"]: s["cached"] for s in c.manifest["stages"]}
    assert cached["corpus"] and cached["annotation"] and cached["vocabulary"]
    assert not cached["topics"]
    assert len(json.loads((c.run_dir / "topics.json").read_text())) == 5
    # --force recomputes
    d = run(cfg5, tmp_path / "a", progress=False, report=False, force=True)
    assert not any(s["cached"] for s in d.manifest["stages"])


@pytest.mark.slow
def test_run_killed_midway_leaves_nothing_complete_and_resumes(tmp_path):
    cfg = _write(tmp_path)
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "-q", "run", str(cfg), "--out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    stages = out / "stages"
    deadline = time.time() + 120
    try:
        # wait until the annotation stage is being built, then kill -9 the whole process group
        while time.time() < deadline and proc.poll() is None:
            if stages.is_dir() and any(p.name.startswith(".annotation-") for p in stages.iterdir()):
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the run finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    complete = [p.name for p in stages.iterdir() if not p.name.startswith(".")]
    assert any(n.startswith("corpus-") for n in complete)
    assert not any(n.startswith(("annotation-", "vocabulary-", "topics-")) for n in complete)
    assert not (out / "manifest.json").exists() and not (out / "topics.json").exists()
    assert not (out / "report").exists()
    result = run(cfg, out, progress=False, report=False)
    cached = {s["stage"]: s["cached"] for s in result.manifest["stages"]}
    assert cached["corpus"] and not cached["annotation"]
    assert (out / "manifest.json").is_file() and (out / "document_topics.csv").is_file()
    assert not any(p.name.endswith(".tmp") for p in stages.iterdir())


def test_cli_bad_config_is_one_line(tmp_path, capsys):
    from toolkit.cli import main

    p = tmp_path / "bad.toml"
    p.write_text('[corpus]\nsources = ["c"]\n[topics]\nkk = 3\n', encoding="utf-8")
    assert main(["run", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unknown key 'topics.kk'" in err and "known keys:" in err


def test_cli_report_of_missing_run(tmp_path, capsys):
    from toolkit.cli import main

    assert main(["report", str(tmp_path)]) == 2
    assert "fnt run" in capsys.readouterr().err


def test_cli_set_overrides_and_report_command(tmp_path, capsys):
    from tests.report_run import make_run
    from toolkit.cli import main
    from toolkit.commands.run import _parse_set

    assert _parse_set(["topics.k=10", "topics.themes=none", "selection.k=[4, 6]"]) == {
        "topics.k": 10, "topics.themes": "none", "selection.k": [4, 6]}
    run_dir = make_run(tmp_path)
    assert main(["report", str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert f"report: {run_dir / 'report' / 'index.html'}" in out
    assert (run_dir / "report" / "tables" / "README.md").is_file()
    # an experiment run is a topic-model run for `topics show`, with its corpus's titles
    assert main(["topics", "show", str(run_dir), "--topic", "0", "--docs", "2"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("topic 0  [") and "terms (λ=1.0): " in shown
    assert len([line for line in shown.splitlines() if line.startswith("    ")]) == 2
