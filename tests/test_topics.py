"""Topic models: planted topics, repeatability, themes on the bundled corpus, bad input, I/O."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from toolkit.errors import ConfigError, ModelError, StageMissingError
from toolkit.topics import (
    GensimLDA,
    NMFModel,
    SklearnLDA,
    TomotopyLDA,
    TopicModelOutput,
    load_model,
    load_output,
    make_model,
    representative_documents,
    seed_retention,
    theme_shares,
    topic_prevalence,
)
from toolkit.topics.themes import load_themes

SEED_ID = "seed-000-4aed66ba79373d17"


def planted(n_topics: int = 3, block: int = 3, docs_per_block: int = 4):
    """sklearn's block-diagonal LDA test matrix: each topic owns ``block`` words."""
    blocks = [np.full((docs_per_block, block), n_topics)] * n_topics
    return sp.csr_matrix(sp.block_diag(blocks)), [set(range(i * block, (i + 1) * block)) for i in range(n_topics)]


@pytest.mark.parametrize(
    "model",
    [GensimLDA(3, random_state=0, passes=20), GensimLDA(3, random_state=0, init="random", passes=50),
     SklearnLDA(3, random_state=0), NMFModel(3, random_state=0), TomotopyLDA(3, iterations=200, random_state=0)],
    ids=lambda m: f"{m.name}-{getattr(m, 'init', '')}",
)  # fmt: skip
def test_planted_topics_are_found(model):
    X, truth = planted()
    model.fit(X)
    found = [set(np.argsort(-row)[:3].tolist()) for row in model.components_]
    assert sorted(map(sorted, found)) == sorted(map(sorted, truth))
    assert model.components_.shape == (3, 9)
    np.testing.assert_allclose(model.components_.sum(axis=1), 1.0)
    theta = model.transform(X)
    assert theta.shape == (12, 3) and np.allclose(theta.sum(axis=1), 1.0)
    # documents of one block share their main topic
    main = theta.argmax(axis=1)
    assert all(len(set(main[i * 4 : (i + 1) * 4])) == 1 for i in range(3))


def test_estimator_rules():
    lda = GensimLDA(4, passes=2)
    assert not hasattr(lda, "components_")  # __init__ only stores parameters
    assert lda.get_params()["n_topics"] == 4
    with pytest.raises(ModelError, match="not fitted"):
        lda.transform(planted()[0])
    with pytest.raises(ModelError, match="more than the 12 documents"):
        GensimLDA(13).fit(planted()[0])
    with pytest.raises(ModelError, match="vocabulary is empty"):
        NMFModel(2).fit(sp.csr_matrix((5, 0)))
    with pytest.raises(ConfigError, match="unknown topic model"):
        make_model("lsi", 5, 0)
    with pytest.raises(ConfigError, match="unknown parameter"):
        make_model("lda", 5, 0, pases=3)
    fitted = NMFModel(3).fit(planted()[0])
    with pytest.raises(ModelError, match="terms"):
        fitted.transform(sp.csr_matrix((2, 4)))


def test_pyldavis_accepts_a_topic_with_no_mass():
    import pyLDAvis

    tt = np.array([[0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5], [0.0, 0.0, 0.0, 0.0]])
    dt = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])
    out = TopicModelOutput(tt, dt, list("abcd"), np.array([3.0, 2, 2, 1]), np.array([4.0, 3, 1]), ["x", "y", "z"])
    vis = pyLDAvis.prepare(**out.to_pyldavis(), sort_topics=False, n_jobs=1, mds="pcoa")
    assert len(vis.topic_coordinates) == 3
    assert np.isfinite(vis.topic_coordinates[["x", "y"]].to_numpy()).all()


# --------------------------------------------------------------------------- bundled corpus


@pytest.fixture(scope="module")
def annotated(bundled_corpus_dir, tmp_path_factory) -> Path:
    from toolkit.annotation.annotate import annotate_corpus

    d = tmp_path_factory.mktemp("topics") / "corpus"
    shutil.copytree(bundled_corpus_dir, d)
    annotate_corpus(d, mode="fast", progress=False)
    return d


@pytest.fixture(scope="module")
def bow(annotated):
    from toolkit.vocabulary import build_bow

    return build_bow(annotated)


@pytest.fixture(scope="module")
def unseeded(bow):
    return GensimLDA(10, random_state=1).fit(bow).output()


@pytest.fixture(scope="module")
def seeded(bow):
    return GensimLDA(10, random_state=1, themes="default").fit(bow).output()


def _theme_topic(out, seeds):
    vocab = {w: i for i, w in enumerate(out.vocabulary)}
    ids = [vocab[s] for s in seeds if s in vocab]
    return int(np.argmax(out.topic_term[:, ids].sum(axis=1)))


@pytest.mark.slow
def test_same_seed_same_topics_three_times(bow):
    outs = [GensimLDA(10, random_state=7).fit(bow).output() for _ in range(3)]
    assert outs[0].all_top_terms(10) == outs[1].all_top_terms(10) == outs[2].all_top_terms(10)
    np.testing.assert_array_equal(outs[0].topic_term, outs[1].topic_term)
    np.testing.assert_array_equal(outs[0].doc_topic, outs[2].doc_topic)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["unseeded", "seeded"])
def test_trade_energy_diplomacy_topics_appear(which, request):
    out = request.getfixturevalue(which)
    for name, seeds in load_themes("default").items():
        t = _theme_topic(out, seeds)
        top = set(out.top_terms(t, 15))
        assert len(top & set(seeds)) >= 2, (name, out.top_terms(t, 15))


@pytest.mark.slow
def test_seed_article_is_diplomacy_then_trade_or_energy(unseeded, seeded):
    for out in (unseeded, seeded):
        shares = theme_shares(out).set_index("doc_id").loc[SEED_ID]
        assert shares.idxmax() == "diplomatie", shares.to_dict()
        assert shares["diplomatie"] > 2 * max(shares["commerce"], shares["énergie"])
    unseeded_shares = theme_shares(unseeded).set_index("doc_id").loc[SEED_ID]
    assert unseeded_shares["commerce"] > 0 and unseeded_shares["énergie"] > 0


@pytest.mark.slow
def test_seeded_topics_keep_their_seeds(seeded):
    assert set(seeded.themes.values()) == {"commerce", "énergie", "diplomatie"}
    retention = seed_retention(seeded)
    assert min(retention.values()) >= 0.8, retention
    assert seeded.labels[0].startswith("commerce")


@pytest.mark.slow
def test_prevalence_over_time_and_sources(unseeded, annotated):
    monthly = topic_prevalence(unseeded, annotated, by="month")
    assert set(monthly.columns) == {"period", "topic", "label", "share", "n_documents"}
    sums = monthly.groupby("period")["share"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    assert not monthly["share"].isna().any()
    by_source = topic_prevalence(unseeded, annotated, by="source", what="themes")
    assert set(by_source["topic"]) == {"commerce", "énergie", "diplomatie"}
    docs = representative_documents(unseeded, annotated, topic=0, n=3)
    assert list(docs.columns) == ["topic", "rank", "doc_id", "title", "date", "source", "share"]


def test_prevalence_without_dates_says_what_to_do(unseeded):
    import pandas as pd

    meta = pd.DataFrame({"id": unseeded.doc_ids, "date": None, "source": "x"})
    with pytest.raises(ConfigError, match="need dates"):
        topic_prevalence(unseeded, meta, by="week")
    with pytest.raises(ConfigError, match="cannot group"):
        topic_prevalence(unseeded, meta, by="colour")


@pytest.mark.slow
def test_train_save_load_transform(annotated, tmp_path):
    from toolkit.topics import TopicsConfig, train_topics
    from toolkit.vocabulary import BagOfWords

    cfg = TopicsConfig(model="nmf", k=6, seed=3)
    est, out, manifest = train_topics(annotated, cfg, tmp_path / "run")
    again = load_output(tmp_path / "run")
    np.testing.assert_allclose(again.doc_topic, out.doc_topic)
    assert again.labels == out.labels and again.doc_ids == out.doc_ids
    model = load_model(tmp_path / "run")
    bow = BagOfWords.load(tmp_path / "run" / "bow")
    np.testing.assert_allclose(model.transform(bow), est.transform(bow), atol=1e-8)
    new = bow.transform(annotated)  # inference on (here: the same) annotated documents
    assert new.matrix.shape[1] == bow.n_terms and set(new.doc_ids) >= set(bow.doc_ids)
    theta = model.transform(new)
    assert theta.shape == (new.n_documents, 6) and np.allclose(theta.sum(axis=1), 1)
    assert manifest["seed"] == 3 and manifest["corpus"]["documents_sha256"].startswith("sha256:")
    assert manifest["versions"]["gensim"]
    with pytest.raises(StageMissingError):
        load_output(tmp_path)
