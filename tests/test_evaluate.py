"""Evaluation measures: agreement with gensim's CoherenceModel, diversity, stability, NMI/ARI."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.errors import ModelError
from toolkit.topics.base import TopicModelOutput
from toolkit.topics.evaluation import (
    ReferenceCorpus,
    heldout_perplexity,
    label_agreement,
    matched_jaccard,
    npmi_coherence,
    stability,
    topic_diversity,
    umass_coherence,
)


def _texts(seed: int = 3, n_docs: int = 80, vocab: int = 40):
    rng = np.random.default_rng(seed)
    words = [f"mot{i}" for i in range(vocab)]
    texts = []
    for _ in range(n_docs):
        group = rng.integers(0, 4)  # four loose themes so that coherences differ
        pool = words[group * 10 : group * 10 + 10] * 3 + words
        texts.append([pool[j] for j in rng.integers(0, len(pool), rng.integers(3, 25))])
    return texts, words


TOPICS = [["mot0", "mot1", "mot2", "mot3", "mot4"], ["mot10", "mot11", "mot25", "mot3", "mot39"],
          ["mot20", "mot21", "mot22", "mot30", "mot31"]]  # fmt: skip


def test_npmi_agrees_with_gensim_boolean_document():
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    texts, _ = _texts()
    dictionary = Dictionary(texts)
    cm = CoherenceModel(topics=TOPICS, texts=texts, dictionary=dictionary, coherence="c_npmi",
                        window_size=max(len(t) for t in texts), topn=5)  # fmt: skip
    ours = npmi_coherence(TOPICS, ReferenceCorpus.from_texts(texts), top_n=5)
    np.testing.assert_allclose(ours["per_topic"], cm.get_coherence_per_topic(), atol=5e-4)
    assert round(ours["mean"], 3) == round(cm.get_coherence(), 3)


def test_umass_agrees_with_gensim():
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    texts, _ = _texts(seed=5)
    dictionary = Dictionary(texts)
    corpus = [dictionary.doc2bow(t) for t in texts]
    cm = CoherenceModel(topics=TOPICS, corpus=corpus, dictionary=dictionary, coherence="u_mass", topn=5)
    ours = umass_coherence(TOPICS, ReferenceCorpus.from_texts(texts), top_n=5)
    np.testing.assert_allclose(ours["per_topic"], cm.get_coherence_per_topic(), atol=5e-4)


def test_reference_maps_lemmas_and_phrases():
    ref = ReferenceCorpus.from_texts(
        [["droits", "douane"], ["droit", "vote"], ["douane", "port"]],
        mapper=lambda w: {"droit": ["droit", "droits"]}.get(w, []),
    )
    assert ref.column("droit").nnz == 2
    assert ref.column("droit_de_douane").nnz == 1  # every content part, in one document
    assert ref.column("inconnu").nnz == 0


@pytest.mark.parametrize(
    ("topics", "n", "expected"),
    [([["a", "b"], ["c", "d"]], 2, 1.0), ([["a", "b"], ["a", "b"]], 2, 0.5), ([["a", "b", "c"], ["a", "d", "e"]], 3, 5 / 6)],
)  # fmt: skip
def test_topic_diversity(topics, n, expected):
    assert topic_diversity(topics, n) == pytest.approx(expected)


def test_stability_matches_topics_one_to_one():
    run1 = [["a", "b", "c"], ["d", "e", "f"]]
    run2 = [["d", "e", "f"], ["a", "b", "x"]]  # same topics, other order, one word changed
    assert matched_jaccard(run1, run2) == pytest.approx((1 + 0.5) / 2)
    assert stability([run1, run1, run1]) == 1.0
    with pytest.raises(ModelError):
        stability([run1])


def _output(doc_topic, labels=None):
    doc_topic = np.asarray(doc_topic, dtype=float)
    k = doc_topic.shape[1]
    return TopicModelOutput(
        topic_term=np.full((k, 3), 1 / 3), doc_topic=doc_topic, vocabulary=["x", "y", "z"],
        term_frequency=np.ones(3), doc_lengths=np.ones(len(doc_topic)),
        doc_ids=[f"d{i}" for i in range(len(doc_topic))],
    )  # fmt: skip


def test_label_agreement_perfect_and_missing_labels():
    out = _output([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8], [0.5, 0.5]])
    res = label_agreement(out, ["eco", "eco", "sport", "sport", None])
    assert res["nmi"] == pytest.approx(1.0) and res["ari"] == pytest.approx(1.0) and res["n_labelled"] == 4
    res = label_agreement(out, {"d0": "eco", "d2": "sport"})
    assert res["n_labelled"] == 2
    with pytest.raises(ModelError, match="labelled"):
        label_agreement(out, [None] * 5)


def test_heldout_perplexity_prefers_the_right_model():
    import scipy.sparse as sp

    class Fixed:
        def __init__(self, phi):
            self.components_ = np.asarray(phi)

        def transform(self, X):
            return np.full((X.shape[0], 2), 0.5)

    X = sp.csr_matrix(np.array([[3, 0, 0, 0], [0, 0, 2, 2]]))
    good = Fixed([[0.97, 0.01, 0.01, 0.01], [0.01, 0.01, 0.49, 0.49]])
    bad = Fixed([[0.25] * 4, [0.25] * 4])
    assert heldout_perplexity(good, X) < heldout_perplexity(bad, X)
