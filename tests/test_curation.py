"""Curation: merges sum shares, bad files are clear errors with nothing written, undo is byte-exact."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from tests.report_run import make_run
from toolkit.topics.curation import CurationError, apply_curation, load_curated, parse_curation


def _snapshot(run: Path) -> dict[str, str]:
    return {str(p.relative_to(run)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(run.rglob("*")) if p.is_file()}  # fmt: skip


@pytest.fixture()
def run(tmp_path):
    from toolkit.report import build_report

    run = make_run(tmp_path)
    build_report(run)
    return run


def test_merge_sums_shares_and_keeps_labels(run):
    from toolkit.topics.io import load_output

    out = load_output(run / "model")
    cur = parse_curation({"labels": {"0": "Commerce"}, "merge": [{"topics": [2, 1], "label": "Monde"}]}, 3)
    curated = apply_curation(out, cur)
    assert curated.n_topics == 2 and cur.groups == [[0], [1, 2]]
    np.testing.assert_allclose(curated.doc_topic[:, 1], out.doc_topic[:, 1] + out.doc_topic[:, 2])
    np.testing.assert_allclose(curated.doc_topic.sum(axis=1), 1.0)
    np.testing.assert_allclose(curated.topic_term.sum(axis=1), 1.0)
    assert curated.labels == ["Commerce", "Monde"]
    assert curated.themes == {0: "commerce", 1: "énergie + diplomatie"}
    junk = apply_curation(out, parse_curation({"junk": [1]}, 3))
    assert junk.labels[1].startswith("[junk]") and junk.info["curation"]["junk"] == [1]


@pytest.mark.parametrize(
    ("text", "message"),
    [("[[merge]]\ntopics = [0, 1]\n[[merge]]\ntopics = [1, 2]\n", "topic 1 is merged twice"),
     ("[[merge]]\ntopics = [0, 0]\n", "merged twice"),
     ("[labels]\n7 = \"x\"\n", "topic 7 does not exist"),
     ("junk = [3]\n", "topic 3 does not exist"),
     ("junk = [1]\n[[merge]]\ntopics = [1, 2]\n", "junk topic 1 is also in"),
     ("[[merge]]\ntopics = [1]\n", "at least two"),
     ("colour = 1\n", "unknown key"),
     ("[labels\n", "not valid TOML")],
)  # fmt: skip
def test_bad_curation_is_an_error_and_nothing_is_written(run, text, message):
    from toolkit.report.curate import curate_run

    before = _snapshot(run)
    (run / "curation.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CurationError, match=message):
        curate_run(run)
    after = _snapshot(run)
    after.pop("curation.toml")
    assert after == before


def test_apply_then_remove_is_byte_identical(run):
    from toolkit.report.curate import curate_run

    original = _snapshot(run)
    (run / "curation.toml").write_text(
        'junk = [0]\n[[merge]]\ntopics = [1, 2]\nlabel = "Énergie et diplomatie"\n', encoding="utf-8")
    res = curate_run(run)
    assert res["curation"]["groups"] == [[0], [1, 2]]
    curated = _snapshot(run)
    changed = {k for k in original if original[k] != curated.get(k)}
    assert {"manifest.json", "report/index.html", "report/tables/topics.csv", "report/tables/effects.csv"} <= changed
    html = (run / "report" / "index.html").read_text(encoding="utf-8")
    assert 'id="curation-note"' in html and "Énergie et diplomatie" in html
    assert load_curated(run).n_topics == 2
    (run / "curation.toml").unlink()
    curate_run(run)
    assert _snapshot(run) == original


def test_effects_apply_curation_and_skip_junk(run):
    from toolkit.topics.effects import estimate_effects

    (run / "curation.toml").write_text("junk = [0]\n[[merge]]\ntopics = [1, 2]\n", encoding="utf-8")
    res = estimate_effects(run, ["source"], n_draws=3, n_sims=5)
    assert set(res.estimates["topic"]) == {1}  # the merged topic; junk topic 0 skipped
    assert res.info["junk_topics_skipped"] == [0] and res.info["curation"].startswith("sha256:")
