"""Save and load topic-model runs.

A run directory (``fnt topics train ... --out DIR``) holds:

``topics.json``
    ``[{"id": 0, "label": "…", "terms": [25 terms, best first]}, …]``; terms are ranked by
    pyLDAvis relevance with λ = 0.6 by default (``relevance_lambda``; 1.0 ranks by probability
    alone), the ranking the labels, ``fnt topics show`` and the reports use.
``document_topics.csv``
    ``doc_id`` then ``topic_0`` … ``topic_{k-1}`` (shares, rows sum to 1).
``topic_terms.csv``
    Tidy top-100 terms per topic by probability: ``topic, rank, term, weight``.
``output.npz`` + ``output.json``
    The full :class:`~toolkit.topics.base.TopicModelOutput` (matrices; vocabulary, ids, labels,
    themes, model info) — what :func:`load_output` reads.
``bow/``
    The dictionary + bag of words + vocabulary settings (:class:`toolkit.vocabulary.BagOfWords`).
``model/``
    The backend's own model files (gensim ``LdaModel.save``, or a pickle for scikit-learn).
``manifest.json``
    Config, seed, corpus hash, package versions, timings, peak memory.

:func:`load_output` is the stable entry point for reports and notebooks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import StageMissingError
from toolkit.topics.base import TopicModelOutput
from toolkit.topics.describe import DEFAULT_LAMBDA, relevant_terms

N_TERMS_JSON = 25


def write_output(directory: str | Path, output: TopicModelOutput, relevance_lambda: float = DEFAULT_LAMBDA) -> None:
    """Write ``topics.json``, ``document_topics.csv``, ``topic_terms.csv``, ``output.npz/json``.

    ``relevance_lambda`` ranks the terms of ``topics.json`` (pyLDAvis relevance; 1.0 = by
    probability).
    """
    from toolkit.runtime import atomic_path, write_json

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    topics = [
        {"id": t, "label": output.labels[t], "terms": relevant_terms(output, t, N_TERMS_JSON, relevance_lambda)}
        for t in range(output.n_topics)
    ]
    write_json(d / "topics.json", topics)
    with atomic_path(d / "document_topics.csv", suffix=".csv") as tmp:
        output.document_topics_frame().to_csv(tmp, index=False, float_format="%.6g")
    with atomic_path(d / "topic_terms.csv", suffix=".csv") as tmp:
        output.topic_term_frame(100).to_csv(tmp, index=False, float_format="%.6g")
    with atomic_path(d / "output.npz", suffix=".npz") as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(
                f, topic_term=output.topic_term, doc_topic=output.doc_topic,
                term_frequency=output.term_frequency, doc_lengths=output.doc_lengths,
            )  # fmt: skip
    write_json(d / "output.json", {
        "vocabulary": output.vocabulary, "doc_ids": output.doc_ids, "labels": output.labels,
        "themes": {str(k): v for k, v in output.themes.items()}, "info": output.info,
    })  # fmt: skip


def load_output(directory: str | Path) -> TopicModelOutput:
    """Load the :class:`~toolkit.topics.base.TopicModelOutput` of a run directory.

    Parameters
    ----------
    directory : path
        A directory written by ``fnt topics train`` (or :func:`write_output`).

    Returns
    -------
    TopicModelOutput

    Examples
    --------
    >>> out = load_output("runs/demo/topics")     # doctest: +SKIP
    >>> out.doc_topic.shape                       # doctest: +SKIP
    (157, 10)
    """
    d = Path(directory)
    if not (d / "output.npz").is_file() or not (d / "output.json").is_file():
        raise StageMissingError(f"{d} is not a topic-model run (no output.npz/output.json); train one with: fnt topics train CORPUS_DIR --out {d}")
    arrays = np.load(d / "output.npz")
    meta = json.loads((d / "output.json").read_text(encoding="utf-8"))
    return TopicModelOutput(
        topic_term=arrays["topic_term"], doc_topic=arrays["doc_topic"],
        vocabulary=meta["vocabulary"], term_frequency=arrays["term_frequency"],
        doc_lengths=arrays["doc_lengths"], doc_ids=meta["doc_ids"], labels=meta["labels"],
        themes={int(k): v for k, v in meta.get("themes", {}).items()}, info=meta.get("info", {}),
    )  # fmt: skip


def load_model(directory: str | Path):
    """Load the fitted estimator of a run directory (for ``transform`` on new documents)."""
    from toolkit.topics.models import MODELS

    d = Path(directory)
    out = load_output(d)
    name = out.info.get("model", "gensim-lda")
    cls = MODELS[name]
    est = cls.load_model(d / "model", out.info.get("params", {}), out.vocabulary)
    est.themes_ = dict(out.themes)
    return est


def load_bow(directory: str | Path):
    """The bag of words saved with a run."""
    from toolkit.vocabulary.bow import BagOfWords

    return BagOfWords.load(Path(directory) / "bow")


def manifest_fields(**fields: Any) -> dict[str, Any]:
    from toolkit.runtime import base_manifest

    return base_manifest("topics", **fields)
