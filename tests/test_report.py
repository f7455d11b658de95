"""Report rendering on a synthetic run: escaping, tables, Markdown, offline LDAvis."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from tests.report_run import SEED_ID, XSS_ID, make_run


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from toolkit.report import build_report

    run = make_run(tmp_path_factory.mktemp("report"))
    return build_report(run)


def test_html_is_one_offline_file(report):
    html = report.read_text(encoding="utf-8")
    # no external resource: every src/href is a data URI, a fragment or an http(s) link to an article
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    assert "cdn.jsdelivr" not in html
    assert not re.search(r"""src=["']?https?:""", html)
    assert "LDAvis" in html and 'id="ldavis-vis" class="ldavis-container"' in html
    assert "default-src 'none'" in html  # CSP: the page may not fetch anything


def test_corpus_text_is_escaped(report):
    html = report.read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in html
    assert "&lt;script&gt;window.__pwned" in html
    assert "<img src=x" not in html
    assert "javascript:alert" not in html  # non-http links are dropped
    assert "L&#39;Écho &lt;b&gt;" in html
    assert "<script>x</script>" not in html  # a term in the LDAvis JSON is escaped too


def test_sections_present(report):
    html = report.read_text(encoding="utf-8")
    for anchor in ("corpus-summary", "topic-table", "seed", "ldavis-section", "ldavis-vis", "manifest-json"):
        assert f'id="{anchor}"' in html
    assert SEED_ID in html


def test_tables_load_and_are_documented(report):
    tables = report.parent / "tables"
    readme = (tables / "README.md").read_text(encoding="utf-8")
    for name in ("topics", "topic_term", "document_topic", "topic_term_matrix"):
        csv = pd.read_csv(tables / f"{name}.csv")
        pq = pd.read_parquet(tables / f"{name}.parquet")
        assert list(csv.columns) == list(pq.columns)
        assert len(csv) == len(pq) > 0
        assert f"## {name}" in readme
    dt = pd.read_parquet(tables / "document_topic.parquet")
    assert list(dt.columns) == ["doc_id", "topic_0", "topic_1", "topic_2"]
    np.testing.assert_allclose(dt.iloc[:, 1:].sum(axis=1), 1.0, atol=1e-4)
    tt = pd.read_csv(tables / "topic_term.csv")
    assert set(tt.columns) == {"topic", "rank", "term", "display", "weight", "relevance"}
    assert "`doc_id`" in readme and "`relevance`" in readme


def test_markdown_summary(report):
    md = (report.parent / "summary.md").read_text(encoding="utf-8")
    assert md.startswith("# Topic report")
    assert "## Topics" in md and "| topic | label |" in md
    assert "## Seed article" in md
    assert "tables/document_topic.csv" in md


def test_seed_neighbours_share_its_topic(tmp_path):
    from toolkit.report.collect import collect

    data = collect(make_run(tmp_path))
    assert data.seed is not None and data.seed["id"] == SEED_ID
    assert int(data.seed["mixture"].iloc[0]["topic"]) == 2  # doc 2 is planted in topic 2
    nb = data.seed["neighbours"]
    assert len(nb) > 0 and XSS_ID not in set(nb["doc_id"].head(3))


def test_ldavis_keeps_model_order_and_survives_empty_topic():
    from toolkit.report.ldavis import prepare, vis_data

    rng = np.random.default_rng(1)
    tt = rng.dirichlet(np.ones(12), size=4)
    tt[3] = 0.0  # a topic with no mass
    dt = rng.dirichlet(np.ones(4), size=30)
    dt[:, 3] = 0.0
    vis = prepare(tt, dt, rng.integers(5, 20, 30), [f"w{i}" for i in range(12)], rng.integers(1, 9, 12))
    data = vis_data(vis)
    assert data["topic.order"] == [1, 2, 3, 4]  # sort_topics=False: LDAvis n = topic n-1
    assert not any(isinstance(x, float) and x != x for x in data["mdsDat"]["x"])


def test_json_for_script_cannot_close_the_script():
    from toolkit.report.ldavis import json_for_script

    s = json_for_script({"t": "</script><script>alert(1)</script>", "u": "a\u2028b"})
    assert "</script" not in s and "<" not in s
    assert json.loads(s)["t"].startswith("</script>")


def test_report_of_a_directory_without_model(tmp_path):
    from toolkit.errors import StageMissingError
    from toolkit.report import build_report

    with pytest.raises(StageMissingError, match="fnt run"):
        build_report(tmp_path)


def test_element_ids_are_unique(report):
    html = report.read_text(encoding="utf-8")
    body = html[html.index("<body>"):]
    ids = re.findall(r'<[a-z0-9]+[^>]*\sid="([^"]+)"', body)
    dupes = {i for i in ids if ids.count(i) > 1}
    assert not dupes


def test_report_effects_follow_the_config(tmp_path):
    """[report] effects: the covariates asked for (here section, not the default time and
    source), or none at all with an empty list."""
    from toolkit.report import build_report

    run = make_run(tmp_path)
    cfg = json.loads((run / "config.json").read_text(encoding="utf-8"))
    cfg["report"].update(effects=["section"], effects_draws=3)
    (run / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    build_report(run)
    eff = pd.read_csv(run / "report" / "tables" / "effects.csv")
    assert set(eff["covariate"]) == {"section"} and set(eff["level"]) == {"Économie", "International"}
    cfg["report"]["effects"] = []
    (run / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    html = build_report(run).read_text(encoding="utf-8")
    assert not (run / "report" / "tables" / "effects.csv").exists()
    assert "effects switched off" in html
