"""Describe topics: terms by relevance, short labels, representative documents."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from toolkit.errors import ModelError

#: Default λ of pyLDAvis's relevance (Sievert & Shirley 2014 found 0.6 best for readers).
DEFAULT_LAMBDA = 0.6


def relevance(output, topic: int, lambda_: float = DEFAULT_LAMBDA) -> np.ndarray:
    """pyLDAvis relevance of every term for ``topic``: λ log φ + (1 − λ) log(φ / p), shape (n_terms,)."""
    if not 0 <= lambda_ <= 1:
        raise ModelError(f"relevance lambda must be in [0, 1], not {lambda_}")
    if not 0 <= topic < output.n_topics:
        raise ModelError(f"no topic {topic}: the model has topics 0..{output.n_topics - 1}")
    phi = np.maximum(output.topic_term[topic], 1e-15)
    tf = np.maximum(output.term_frequency, 1e-15)
    p = tf / tf.sum()
    return lambda_ * np.log(phi) + (1 - lambda_) * np.log(phi / p)


def relevant_terms(output, topic: int, n: int = 10, lambda_: float = DEFAULT_LAMBDA) -> list[str]:
    """Top ``n`` terms of ``topic`` by relevance (λ = 1 gives plain probability order)."""
    if lambda_ == 1:
        return output.top_terms(topic, n)
    r = relevance(output, topic, lambda_)
    # restrict to the topic's 200 most probable terms, as pyLDAvis effectively does for display
    cand = np.argsort(-output.topic_term[topic], kind="stable")[:200]
    best = cand[np.argsort(-r[cand], kind="stable")[:n]]
    return [output.vocabulary[i] for i in best]


def auto_labels(output, n: int = 3, lambda_: float = DEFAULT_LAMBDA) -> list[str]:
    """A short label per topic: its theme name when seeded, else its 3 most relevant terms."""
    labels = []
    for t in range(output.n_topics):
        terms = [w.replace("_", " ") for w in relevant_terms(output, t, n, lambda_)]
        label = " · ".join(terms)
        if t in output.themes:
            label = f"{output.themes[t]}: {label}"
        labels.append(label)
    return labels


def describe_topics(output, n: int = 10, lambda_: float = DEFAULT_LAMBDA):
    """One row per topic: id, label, theme, prevalence (mean share), terms by relevance."""
    import pandas as pd

    prev = output.doc_topic.mean(axis=0)
    rows = []
    for t in range(output.n_topics):
        rows.append({
            "topic": t, "label": output.labels[t], "theme": output.themes.get(t, ""),
            "prevalence": round(float(prev[t]), 4),
            "terms": ", ".join(relevant_terms(output, t, n, lambda_)),
        })  # fmt: skip
    return pd.DataFrame(rows)


def representative_documents(output, corpus_dir: str | Path | None = None, topic: int | None = None, n: int = 5):
    """The ``n`` documents with the largest share of each topic (or of one topic).

    Parameters
    ----------
    output : TopicModelOutput
    corpus_dir : path, optional
        Corpus directory; adds title, date and source.
    topic : int, optional
    n : int

    Returns
    -------
    pandas.DataFrame
        Columns topic, rank, doc_id, share (+ title, date, source with a corpus).
    """
    import pandas as pd

    topics = range(output.n_topics) if topic is None else [topic]
    rows = []
    for t in topics:
        if not 0 <= t < output.n_topics:
            raise ModelError(f"no topic {t}: the model has topics 0..{output.n_topics - 1}")
        order = np.argsort(-output.doc_topic[:, t], kind="stable")[:n]
        for r, i in enumerate(order):
            rows.append({"topic": t, "rank": r, "doc_id": output.doc_ids[i], "share": round(float(output.doc_topic[i, t]), 4)})
    df = pd.DataFrame(rows, columns=["topic", "rank", "doc_id", "share"])
    if corpus_dir is not None and len(df):
        from toolkit.corpus.documents import Corpus

        meta = Corpus(corpus_dir).metadata_frame()[["id", "title", "date", "source"]]
        df = df.merge(meta.rename(columns={"id": "doc_id"}), on="doc_id", how="left")
        df = df[["topic", "rank", "doc_id", "title", "date", "source", "share"]]
    return df
