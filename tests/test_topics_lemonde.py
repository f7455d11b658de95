"""Real data: the toolkit's default topic pipeline against the tutorial baselines on a Le Monde
2022 sample (skipped when ../shared/data is absent).

The same measures as ``benchmarks/topics_lemonde.py`` (which runs the whole corpus), on a
spread sample of 800 articles and k = 10: NPMI of the top-10 terms the toolkit publishes in
``topics.json`` over one shared reference, NMI of each document's main topic against its
section, diversity of the top 25.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

from toolkit.cli import main

N_DOCS = 800
K = 10
BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "topics_lemonde.py"


def _bench():
    spec = importlib.util.spec_from_file_location("topics_lemonde_bench", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def sample_run(lemonde_path, tmp_path_factory):
    from toolkit.corpus.ingest import ingest

    root = tmp_path_factory.mktemp("lemonde-topics")
    with gzip.open(lemonde_path, "rt", encoding="utf-8") as f:
        rows = [line for i, line in enumerate(f) if i % 37 == 0][:N_DOCS]
    src = root / "src"
    src.mkdir()
    with open(src / "lemonde.jsonl", "w", encoding="utf-8") as f:
        for line in rows:
            r = json.loads(line)
            f.write(json.dumps({k: r.get(k) for k in ("id", "title", "text", "date", "section")}, ensure_ascii=False) + "\n")
    corpus = root / "corpus"
    ingest([src], corpus, progress=False)
    run = root / "run"
    assert main(["-q", "topics", "train", str(corpus), "--k", str(K), "--seed", "0", "--out", str(run), "--no-progress"]) == 0
    return corpus, run


@pytest.mark.slow
def test_default_pipeline_beats_the_tutorial_baselines(sample_run):
    from sklearn.metrics import normalized_mutual_info_score

    from toolkit.topics.evaluation import npmi_coherence, topic_diversity

    bench = _bench()
    corpus, run = sample_run
    reference = bench.build_reference(str(corpus))
    meta = pd.read_parquet(corpus / "documents.parquet", columns=["id", "section"])
    sections = dict(zip(meta["id"], meta["section"].fillna("none"), strict=True))
    ids = list(sections)

    def nmi(doc_ids, main_topics):
        placed = dict(zip(doc_ids, main_topics, strict=True))
        return normalized_mutual_info_score([sections[d] for d in ids], [placed.get(d, -1) for d in ids])

    topics = json.loads((run / "topics.json").read_text(encoding="utf-8"))
    terms = [t["terms"] for t in topics]
    dt = pd.read_csv(run / "document_topics.csv")
    ours = {
        "npmi": npmi_coherence(terms, reference, 10)["mean"],
        "nmi": nmi(dt["doc_id"].tolist(), dt.iloc[:, 1:].to_numpy().argmax(axis=1).tolist()),
        "diversity": topic_diversity(terms, 25),
    }
    plain = reference.with_mapper(None)
    baselines = {}
    for name, fn in (("a", bench.run_a), ("b", bench.run_b), ("c", bench.run_c)):
        res = fn(str(corpus), K, 0)
        baselines[name] = {"npmi": npmi_coherence(res["top"], plain, 10)["mean"], "nmi": nmi(res["doc_ids"], res["main"])}
    best_npmi = max(b["npmi"] for b in baselines.values())
    best_nmi = max(b["nmi"] for b in baselines.values())
    msg = f"toolkit {ours}, baselines {baselines}"
    print(msg)
    assert ours["npmi"] >= 1.25 * best_npmi, msg
    assert ours["nmi"] >= best_nmi, msg
    assert ours["diversity"] >= 0.80, msg
