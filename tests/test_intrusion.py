"""Intrusion tasks: reproducible task sets, scoring, Krippendorff's alpha, the widget, the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.report_run import make_run
from toolkit.cli import main
from toolkit.topics import intrusion as it


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return make_run(tmp_path_factory.mktemp("intrusion"))


@pytest.mark.parametrize("kind", ["word", "topic"])
def test_same_seed_same_tasks(run, tmp_path, kind):
    n = 5 if kind == "word" else 4
    a = it.make_tasks(run, kind, n=n, seed=7, out=tmp_path / "a")
    b = it.make_tasks(run, kind, n=n, seed=7, out=tmp_path / "b")
    for name in ("tasks.json", "answer_key.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    c = it.make_tasks(run, kind, n=n, seed=8, out=tmp_path / "c")
    assert (c / "tasks.json").read_bytes() != (a / "tasks.json").read_bytes()
    tasks = it.load_tasks(a)
    assert len(tasks["tasks"]) == n
    key = it.load_key(a)
    text = (a / "tasks.json").read_text(encoding="utf-8")
    assert "answer" not in text and "choice" not in text  # the key is kept apart
    for t, k in zip(tasks["tasks"], key.itertuples(index=False), strict=True):
        opt = t["options"][k.choice]
        assert (opt if kind == "word" else str(opt["topic"])) == str(k.answer)


def test_word_intruder_comes_from_another_topic(run, tmp_path):
    from toolkit.topics.io import load_output

    out = load_output(run / "model")
    d = it.make_tasks(run, "word", n=3, seed=1, out=tmp_path / "w")
    for k in it.load_key(d).itertuples(index=False):
        assert k.answer not in out.top_terms(k.topic, 5)
        assert any(k.answer in out.top_terms(o, 10) for o in range(out.n_topics) if o != k.topic)


def test_perfect_coder_scores_one_and_widget_saves_answers(run, tmp_path):
    from toolkit.topics.intrusion_widget import IntrusionWidget

    d = it.make_tasks(run, "topic", n=4, seed=2, out=tmp_path / "t")
    key = it.load_key(d).set_index("task_id")
    w = IntrusionWidget(d, coder="alice", run_dir=run)
    n_opts = len(w.current["options"])
    assert len(w._buttons.children) == n_opts == 3  # the model has 3 topics
    while not w.done:
        w.answer(int(key.loc[w.current["id"], "choice"]))
    answers = it.read_answers(it.answers_path(run, it.load_tasks(d)["task_set"]))
    assert len(answers) == 4 and set(answers["coder"]) == {"alice"}
    s = it.score_answers(d, answers)
    assert s["overall"]["model_precision"] == 1.0
    assert s["overall"]["topic_log_odds"] == 0.0
    assert s["alpha"] is None  # one coder
    # a second coder who is always wrong: precision 0.5 overall, negative log odds
    for t in it.load_tasks(d)["tasks"]:
        it.record_answer(run, it.load_tasks(d), t["id"], "bob", (int(key.loc[t["id"], "choice"]) + 1) % n_opts)
    s = it.score_answers(d, it.answers_path(run, it.load_tasks(d)["task_set"]))
    assert s["overall"]["model_precision"] == pytest.approx(0.5)
    assert s["overall"]["topic_log_odds"] < 0
    assert s["alpha"] is not None and s["alpha"] < 0.2
    assert it.score_run(run) is not None


def test_alpha_matches_krippendorff_on_the_worked_example():
    """Krippendorff (2011), 'Computing Krippendorff's alpha-reliability', nominal example:
    4 observers, 12 units, alpha = 0.743."""
    import krippendorff

    nan = np.nan
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
            [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]  # fmt: skip
    rows = [{"task_id": f"u{j:02d}", "coder": f"c{i}", "choice": int(v)}
            for i, row in enumerate(data) for j, v in enumerate(row) if v == v]  # fmt: skip
    ours = it.krippendorff_alpha(pd.DataFrame(rows), [f"u{j:02d}" for j in range(12)])
    assert ours == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    assert round(ours, 3) == 0.743


def test_cli(run, tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["validate", "intrusion", str(run), "--kind", "word", "--n", "3", "--seed", "4", "--out", str(out)]) == 0
    assert (out / "tasks.json").is_file() and (out / "answer_key.csv").is_file()
    with pytest.raises(SystemExit) as exc:  # argparse: --kind must be word or topic
        main(["validate", "intrusion", str(run), "--kind", "sentence", "--out", str(tmp_path / "x")])
    assert exc.value.code == 2 and "invalid choice" in capsys.readouterr().err
    assert main(["validate", "scores", str(run)]) == 0
