"""A small synthetic run directory for report tests: a corpus (with hostile markup in one
document) and a planted topic model output, no training."""

from __future__ import annotations

import json
from pathlib import Path

XSS_ID = "xss-001"
XSS_TITLE = "<script>window.__pwned = 1; document.title = 'pwned'</script> Titre piégé"
XSS_TEXT = "Texte <img src=x onerror=\"window.__pwned = 2; document.title = 'pwned'\"> et <b>gras</b>."
SEED_ID = "seed-000-4aed66ba79373d17"

_VOCAB = {
    "commerce": ["droit_de_douane", "exportation", "tarif", "commerce", "omc", "importation"],
    "énergie": ["gaz", "nucléaire", "électricité", "pétrole", "énergie", "réacteur"],
    "diplomatie": ["sommet", "coopération", "diplomatique", "sanction", "ambassadeur", "onu"],
}


def make_run(root: Path, n_docs: int = 24) -> Path:
    """Write ``root/run`` (run directory) and ``root/stages/corpus-x/corpus``; return the run dir."""
    import numpy as np

    from toolkit.corpus.ingest import ingest
    from toolkit.runtime import write_json
    from toolkit.topics.base import TopicModelOutput
    from toolkit.topics.io import write_output

    rng = np.random.default_rng(0)
    themes = list(_VOCAB)
    src = root / "src.jsonl"
    docs = []
    for i in range(n_docs):
        theme = themes[i % 3]
        doc_id = SEED_ID if i == 2 else (XSS_ID if i == 4 else f"doc-{i:03d}")
        title = XSS_TITLE if doc_id == XSS_ID else f"Dépêche {i} sur {theme}"
        text = XSS_TEXT if doc_id == XSS_ID else " ".join(_VOCAB[theme] * 3)
        docs.append({"id": doc_id, "title": title, "text": text,
                     "date": f"2024-{9 + i % 4:02d}-{1 + i % 27:02d}", "source": ["Le Quotidien", "L'Écho <b>"][i % 2],
                     "section": ["Économie", "International"][i % 2],
                     "url": "javascript:alert(1)" if doc_id == XSS_ID else f"https://example.org/{i}"})
    src.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n", encoding="utf-8")
    stage = root / "stages" / "corpus-0000"
    ingest([src], stage / "corpus", progress=False)
    vocab = [w for ws in _VOCAB.values() for w in ws] + ["<script>x</script>"]
    k, v = 3, len(vocab)
    topic_term = np.full((k, v), 1e-3)
    for t in range(k):
        topic_term[t, 6 * t: 6 * t + 6] = rng.uniform(0.5, 1.0, 6)
    topic_term /= topic_term.sum(axis=1, keepdims=True)
    doc_topic = np.full((n_docs, k), 0.05)
    for i in range(n_docs):
        doc_topic[i, i % 3] = 0.9
    doc_topic /= doc_topic.sum(axis=1, keepdims=True)
    out = TopicModelOutput(
        topic_term=topic_term, doc_topic=doc_topic, vocabulary=vocab,
        term_frequency=rng.integers(5, 50, v).astype(float), doc_lengths=np.full(n_docs, 18.0),
        doc_ids=[d["id"] for d in docs], labels=["commerce <i>", "énergie", "diplomatie"],
        themes={0: "commerce", 1: "énergie", 2: "diplomatie"}, info={"model": "planted"},
    )  # fmt: skip
    run = root / "run"
    write_output(run / "model", out)
    write_json(run / "config.json", {"experiment": {"name": "synthetic <script>"}, "report": {"n_terms": 10}})
    write_json(run / "evaluation.json", {"npmi": 0.2, "per_topic": {"npmi": [0.1, 0.2, 0.3]}})
    write_json(run / "manifest.json", {"kind": "experiment", "seed": 1, "stages": [
        {"stage": "corpus", "path": "../stages/corpus-0000", "cached": False, "seconds": 0.1}]})  # fmt: skip
    return run
