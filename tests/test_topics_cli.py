"""``fnt topics train / select / show`` on the bundled corpus (annotated on the fly)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from toolkit.cli import main


@pytest.fixture(scope="module")
def corpus(bundled_corpus_dir, tmp_path_factory) -> Path:
    """A copy of the bundled corpus WITHOUT a token table: train must annotate it first."""
    d = tmp_path_factory.mktemp("cli") / "corpus"
    shutil.copytree(bundled_corpus_dir, d)
    return d


@pytest.fixture(scope="module")
def run_dir(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli-run") / "topics"
    assert main(["-q", "topics", "train", str(corpus), "--k", "8", "--seed", "2", "--out", str(out), "--no-progress"]) == 0
    return out


@pytest.mark.slow
def test_train_writes_the_contract(run_dir, corpus):
    assert (corpus / "tokens.parquet").is_file()  # annotated in fast mode first
    topics = json.loads((run_dir / "topics.json").read_text(encoding="utf-8"))
    assert [t["id"] for t in topics] == list(range(8))
    assert all(len(t["terms"]) == 25 and t["label"] for t in topics)
    dt = pd.read_csv(run_dir / "document_topics.csv")
    assert list(dt.columns) == ["doc_id"] + [f"topic_{i}" for i in range(8)]
    assert ((dt.iloc[:, 1:].sum(axis=1) - 1).abs() < 1e-4).all()
    assert "seed-000-4aed66ba79373d17" in set(dt["doc_id"])
    for name in ("manifest.json", "topic_terms.csv", "output.npz", "bow/bow.npz", "bow/dictionary.gensim", "bow/display.json", "model/lda.tomotopy"):
        assert (run_dir / name).is_file(), name
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 2 and manifest["config"]["topics"]["k"] == 8


@pytest.mark.slow
def test_topics_json_terms_are_ranked_by_probability_with_display_forms(run_dir, corpus, tmp_path):
    from toolkit.topics import load_output
    from toolkit.topics.describe import relevant_terms

    out = load_output(run_dir)
    topics = json.loads((run_dir / "topics.json").read_text(encoding="utf-8"))
    assert [t["terms"] for t in topics] == out.all_top_terms(25)
    # display forms beside the keys, as the corpus writes them
    assert all(len(t["display"]) == len(t["terms"]) for t in topics)
    shown = {k: d for t in topics for k, d in zip(t["terms"], t["display"], strict=True)}
    assert shown.get("états-unis", "États-Unis") == "États-Unis"
    assert "etats-unis" not in out.vocabulary  # one key for both spellings
    multi = {k: d for k, d in shown.items() if "_" in k}
    assert multi and all("_" not in d for d in multi.values())
    # λ < 1 ranks by relevance; the model itself is the same
    rel = tmp_path / "rel"
    assert main(["-q", "topics", "train", str(corpus), "--k", "8", "--seed", "2", "--lambda", "0.6",
                 "--out", str(rel), "--no-progress"]) == 0  # fmt: skip
    by_rel = json.loads((rel / "topics.json").read_text(encoding="utf-8"))
    assert [t["terms"] for t in by_rel] == [relevant_terms(out, t, 25, 0.6) for t in range(8)]
    assert [t["terms"] for t in by_rel] != [t["terms"] for t in topics]
    assert main(["-q", "topics", "train", str(corpus), "--k", "8", "--lambda", "1.5",
                 "--out", str(tmp_path / "bad"), "--no-progress"]) == 2  # fmt: skip


@pytest.mark.slow
def test_show_prints_terms_and_documents(run_dir, capsys):
    assert main(["topics", "show", str(run_dir), "--topic", "0", "--docs", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("topic 0") and "terms (λ=1.0)" in out


@pytest.mark.slow
def test_select_writes_table_plot_and_recommendation(corpus, tmp_path, capsys):
    out = tmp_path / "select"
    code = main(["-q", "topics", "select", str(corpus), "--k", "4", "8", "--seed", "1", "--out", str(out),
                 "--labels", "section", "--model", "nmf", "--no-progress"])  # fmt: skip
    assert code == 0
    table = pd.read_csv(out / "selection.csv")
    assert list(table["k"]) == [4, 8]
    assert {"npmi", "umass", "diversity", "perplexity", "nmi", "ari"} <= set(table.columns)
    assert (out / "selection.png").stat().st_size > 1000
    rec = json.loads((out / "recommendation.json").read_text(encoding="utf-8"))
    assert rec["k"] in (4, 8) and "NPMI" in rec["reason"]
    assert "recommended: k=" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [(["--k", "500"], "more than the"), (["--k", "5", "--model", "lsi"], "unknown topic model"),
     (["--k", "5", "--param", "pases=3"], "unknown parameter"),
     (["--k", "5", "--themes", "nowhere.toml"], "themes file not found")],
)  # fmt: skip
def test_bad_requests_are_one_line_errors(corpus, tmp_path, capsys, args, message):
    code = main(["-q", "topics", "train", str(corpus), "--out", str(tmp_path / "x"), "--no-progress", *args])
    err = capsys.readouterr().err
    assert code != 0 and message in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()
