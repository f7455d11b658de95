"""The default topic model (``lda`` = TomotopyLDA): repeatable, short-text switch, clear errors."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import scipy.sparse as sp

from toolkit.errors import ConfigError, ModelError
from toolkit.topics import TomotopyLDA, make_model


def planted(n_topics=3, block=4, docs_per_block=80, words_per_doc=12, seed=0):
    """Documents drawn from ``n_topics`` disjoint word blocks (the answer is known)."""
    rng = np.random.default_rng(seed)
    rows, cols = [], []
    for t in range(n_topics):
        for d in range(docs_per_block):
            r = t * docs_per_block + d
            for w in rng.integers(t * block, (t + 1) * block, size=words_per_doc):
                rows.append(r)
                cols.append(int(w))
    n = n_topics * docs_per_block
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(n, n_topics * block))
    m.sum_duplicates()
    return m, [set(range(t * block, (t + 1) * block)) for t in range(n_topics)]


def _found(model, k):
    return sorted(sorted(np.argsort(-row)[:k].tolist()) for row in model.components_)


def test_default_backend_is_the_gibbs_lda():
    est = make_model("lda", 5, 0)
    assert isinstance(est, TomotopyLDA)
    assert est.get_params()["term_weight"] == "idf" and est.get_params()["nmf_prior"] > 0


@pytest.mark.parametrize("words_per_doc, variant", [(30, "lda"), (6, "pseudo-document")])
def test_planted_topics_and_the_short_text_switch(words_per_doc, variant):
    X, truth = planted(words_per_doc=words_per_doc)
    est = TomotopyLDA(3, iterations=150, random_state=0).fit(X)
    assert est.variant_ == variant
    assert _found(est, 4) == sorted(map(sorted, truth))
    out = est.output()
    assert out.info["variant"] == variant and out.info["variant_reason"]
    assert out.doc_topic.shape == (240, 3) and np.allclose(out.doc_topic.sum(axis=1), 1)
    main = out.main_topic()
    assert all(len(set(main[t * 80 : (t + 1) * 80])) == 1 for t in range(3))


def test_short_documents_but_too_few_for_the_short_model_stay_lda(caplog):
    X, _ = planted(docs_per_block=20, words_per_doc=6)
    with caplog.at_level("INFO", logger="toolkit.topics.tomotopy_lda"):
        est = TomotopyLDA(3, iterations=50, random_state=0).fit(X)
    assert est.variant_ == "lda" and "only 60" in est.switch_reason_
    assert "topic model: lda" in caplog.text


def test_same_seed_same_results_three_times():
    X, _ = planted(words_per_doc=20, seed=3)
    runs = [TomotopyLDA(3, iterations=100, random_state=11).fit(X) for _ in range(3)]
    for r in runs[1:]:
        np.testing.assert_array_equal(r.components_, runs[0].components_)
        np.testing.assert_array_equal(r.doc_topic_, runs[0].doc_topic_)
    other = TomotopyLDA(3, iterations=100, random_state=12, nmf_prior=0).fit(X)
    assert not np.array_equal(other.doc_topic_, runs[0].doc_topic_)


def test_nmf_start_depends_on_the_data_and_the_sampler_on_the_seed():
    """The NMF-informed prior is the same for every seed (a function of the data); the seed
    still drives the Gibbs sampler, so two seeds give two different samples."""
    X, _ = planted(words_per_doc=20, seed=4)
    vocab = [f"w{i}" for i in range(X.shape[1])]
    a, b = TomotopyLDA(3, random_state=1), TomotopyLDA(3, random_state=2)
    np.testing.assert_array_equal(a._prior(X, vocab)[0], b._prior(X, vocab)[0])
    # on a corpus without planted structure the sampler's draws show through
    noise = sp.csr_matrix(np.random.default_rng(0).poisson(1.0, (60, 40)))
    fa, fb = a.set_params(iterations=30).fit(noise), b.set_params(iterations=30).fit(noise)
    assert not np.array_equal(fa.doc_topic_, fb.doc_topic_)


def test_bad_input_is_named():
    with pytest.raises(ConfigError, match=r"unknown parameter\(s\) for lda: pases, tw; valid: .*iterations"):
        make_model("lda", 5, 0, pases=3, tw="idf")
    with pytest.raises(ModelError, match="term_weight must be one of"):
        TomotopyLDA(2, term_weight="bm25").fit(planted()[0])
    with pytest.raises(ModelError, match="more than the 3 documents"):
        TomotopyLDA(5).fit(sp.csr_matrix(np.ones((3, 4), dtype=np.int32)))
    with pytest.raises(ModelError, match="too few for k=4"):
        TomotopyLDA(4).fit(sp.csr_matrix(np.eye(5, dtype=np.int32)))
    with pytest.raises(ModelError, match="short-text model needs at least"):
        TomotopyLDA(4, short_texts="always").fit(sp.csr_matrix(np.ones((6, 3), dtype=np.int32)))


# --------------------------------------------------------------------------- bundled corpus


@pytest.fixture(scope="module")
def annotated(bundled_corpus_dir, tmp_path_factory):
    from toolkit.annotation.annotate import annotate_corpus

    d = tmp_path_factory.mktemp("topics-default") / "corpus"
    shutil.copytree(bundled_corpus_dir, d)
    annotate_corpus(d, mode="fast", progress=False)
    return d


@pytest.mark.slow
def test_bundled_corpus_repeatable_readable_and_in_the_manifest(annotated, tmp_path):
    from toolkit.topics import TopicsConfig, load_model, load_output, train_topics

    cfg = TopicsConfig(k=8, seed=5)
    runs = [train_topics(annotated, cfg, tmp_path / f"run{i}")[1] for i in range(3)]
    assert runs[0].all_top_terms(10) == runs[1].all_top_terms(10) == runs[2].all_top_terms(10)
    np.testing.assert_array_equal(runs[0].doc_topic, runs[2].doc_topic)
    _, out, manifest = train_topics(annotated, cfg, tmp_path / "run", force=True)
    assert manifest["model"]["variant"] == "lda" and "median" in manifest["model"]["variant_reason"]
    shown = dict(zip(out.vocabulary, out.display, strict=True))
    assert shown["états-unis"] == "États-Unis" and shown["droit_de_douane"] == "droits de douane"
    # one key per name, whether it comes from an entity (union_européenne) or a phrase of lemmas
    assert len([k for k, v in shown.items() if v == "Union européenne"]) == 1 and shown["taux"] == "taux"
    assert "tal" not in shown and "etats-unis" not in shown
    again = load_output(tmp_path / "run")
    assert again.display == out.display
    model = load_model(tmp_path / "run")
    np.testing.assert_allclose(model.components_, out.topic_term)
