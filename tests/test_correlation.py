"""FREX labels (stm labelTopics) and topic correlations (stm topicCorr, simple)."""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from toolkit.topics.base import TopicModelOutput
from toolkit.topics.correlation import (
    correlation_edges,
    frex_scores,
    frex_terms,
    plot_correlation_graph,
    topic_correlations,
)


def _output(topic_term, doc_topic=None, tf=None):
    k, v = np.shape(topic_term)
    dt = np.full((6, k), 1.0 / k) if doc_topic is None else doc_topic
    return TopicModelOutput(topic_term, dt, [f"w{i}" for i in range(v)],
                            np.full(v, 1000.0) if tf is None else tf, np.full(len(dt), 10.0),
                            [f"d{i}" for i in range(len(dt))])  # fmt: skip


def test_frex_is_the_harmonic_mean_of_ecdf_ranks():
    beta = np.array([[0.40, 0.30, 0.20, 0.10], [0.05, 0.05, 0.10, 0.80]])
    out = _output(beta)
    excl = beta / beta.sum(axis=0)
    f = rankdata(beta[0]) / 4
    e = rankdata(excl[0]) / 4
    np.testing.assert_allclose(frex_scores(out, shrink=False)[0], 1 / (0.5 / f + 0.5 / e))


def test_frex_prefers_frequent_and_exclusive_words():
    # w0: frequent everywhere; w1: frequent and exclusive to topic 0; w2: exclusive but rare
    beta = np.array([[0.30, 0.25, 0.004] + [0.446 / 7] * 7, [0.30, 0.001, 0.0005] + [0.6985 / 7] * 7])
    beta /= beta.sum(axis=1, keepdims=True)
    out = _output(beta)
    assert out.top_terms(0, 2) == ["w0", "w1"]  # by probability the common word leads
    assert frex_terms(out, 0, 1) == ["w1"]  # FREX puts the frequent, exclusive word first
    # James–Stein: a word seen once gets no exclusivity credit (uniform over topics)
    tf = np.full(10, 1000.0)
    tf[1] = 1
    assert frex_scores(_output(beta, tf=tf))[0, 1] < frex_scores(out)[0, 1]


def test_correlated_topics_are_linked():
    rng = np.random.default_rng(0)
    z = rng.uniform(0, 0.4, 200) + rng.normal(0, 0.02, 200).clip(-0.0, None)
    rest = rng.dirichlet([1, 1], size=200) * (1 - 2 * z)[:, None]
    theta = np.column_stack([z, z + rng.uniform(0, 0.05, 200), rest])  # topics 0 and 1 rise together
    theta /= theta.sum(axis=1, keepdims=True)
    out = _output(rng.dirichlet(np.ones(8), size=4), doc_topic=theta)
    c = topic_correlations(out)
    assert c.shape == (4, 4) and np.allclose(np.diag(c), 1)
    edges = correlation_edges(out)
    assert (edges.iloc[0]["topic_a"], edges.iloc[0]["topic_b"]) == (0, 1)
    assert (edges["correlation"] > 0.01).all()
    plot_correlation_graph(out)
