"""Embeddings on planted synthetic corpora: training, repeatability, exploration, bad input."""

from __future__ import annotations

import random

import numpy as np
import pytest

from toolkit.embeddings import (
    Doc2VecModel,
    FastTextModel,
    PeriodEmbeddings,
    Word2VecModel,
    embedding_coherence,
    load_model,
    make_model,
    nearest_topic_terms,
)
from toolkit.embeddings.base import auto_epochs
from toolkit.errors import ConfigError, InputError, ModelError, StageMissingError

GROUPS = {
    "energie": "gaz pétrole gazier énergie électricité nucléaire charbon baril".split(),
    "diplomatie": "pékin moscou chine russie kremlin washington diplomatie sommet".split(),
    "sport": "match but équipe joueur stade ligue entraîneur victoire".split(),
}
FILLER = "an pays rester année fin prévoir public mesure".split()
SMALL = dict(vector_size=16, min_count=2, epochs=15, random_state=3)


def planted(n_docs: int = 90, length: int = 120, seed: int = 0) -> list[tuple[str, list[str]]]:
    """Documents drawn from one group each (60 %) plus shared filler words (40 %)."""
    rng = random.Random(seed)
    names = list(GROUPS)
    docs = []
    for i in range(n_docs):
        group = GROUPS[names[i % len(names)]]
        docs.append(
            (f"d{i:03d}", [rng.choice(group) if rng.random() < 0.6 else rng.choice(FILLER) for _ in range(length)])
        )
    return docs


@pytest.fixture(scope="module")
def docs():
    return planted()


@pytest.fixture(scope="module")
def w2v(docs):
    return Word2VecModel(**SMALL).fit(docs)


@pytest.fixture(scope="module")
def ft(docs):
    return FastTextModel(bucket=20_000, **SMALL).fit(docs)


@pytest.fixture(scope="module")
def d2v(docs):
    return Doc2VecModel(**SMALL).fit(docs)


def group_of(term: str) -> str | None:
    return next((g for g, words in GROUPS.items() if term in words), None)


# ----------------------------------------------------------------------------- estimator rules


def test_constructor_only_stores_parameters():
    m = Word2VecModel(vector_size=7, architecture="cbow", random_state=5)
    assert m.get_params()["vector_size"] == 7
    assert not hasattr(m, "model_")
    with pytest.raises(ModelError, match="not fitted"):
        m.neighbours("gaz")


def test_fit_returns_self_with_learned_attributes(w2v, docs):
    assert isinstance(w2v, Word2VecModel)
    assert w2v.document_vectors_.shape == (len(docs), 16)
    assert w2v.doc_ids_[0] == "d000"
    assert w2v.training_["tokens"] == sum(len(t) for _, t in docs)
    assert w2v.training_["tokens_hash"].startswith("sha256:")
    assert w2v.training_["epochs"] == 15


@pytest.mark.parametrize("cls", [Word2VecModel, FastTextModel, Doc2VecModel])
def test_same_seed_same_vectors_three_times(cls, docs):
    params = {**SMALL, "epochs": 5}
    if cls is FastTextModel:
        params["bucket"] = 5_000
    runs = [cls(**params).fit(docs) for _ in range(3)]
    for other in runs[1:]:
        np.testing.assert_array_equal(runs[0].model_.wv.vectors, other.model_.wv.vectors)
        np.testing.assert_array_equal(runs[0].document_vectors_, other.document_vectors_)
    different = cls(**{**params, "random_state": 4}).fit(docs)
    assert not np.array_equal(runs[0].model_.wv.vectors, different.model_.wv.vectors)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"vector_size": 0}, "vector_size"),
        ({"min_count": -1}, "min_count"),
        ({"architecture": "glove"}, "architecture"),
        ({"workers": 0}, "workers"),
    ],
)
def test_bad_parameters_are_config_errors(docs, params, message):
    with pytest.raises(ConfigError, match=message):
        Word2VecModel(**params).fit(docs)


def test_unknown_model_kind():
    with pytest.raises(ConfigError, match="unknown embedding model"):
        make_model("glove")
    with pytest.raises(ConfigError, match="mode"):
        Doc2VecModel(mode="pv").fit(planted(6, 20))


def test_auto_epochs_scales_with_corpus():
    assert auto_epochs(35_000) == 58
    assert auto_epochs(14_000_000) == 5
    assert auto_epochs(100) == 100


# ----------------------------------------------------------------------------- bad input


def test_generator_is_refused(docs):
    with pytest.raises(InputError, match="re-iterable"):
        Word2VecModel(**SMALL).fit(d for d in docs)


def test_strings_instead_of_tokens_are_refused():
    with pytest.raises(InputError, match="token lists"):
        Word2VecModel(**SMALL).fit(["une phrase entière", "une autre"])


def test_duplicate_document_ids_are_refused():
    with pytest.raises(InputError, match="duplicate"):
        Word2VecModel(**SMALL).fit([("a", ["x", "y"]), ("a", ["z"])])


def test_corpus_too_small_for_min_count():
    with pytest.raises(ModelError, match="min_count=50"):
        Word2VecModel(vector_size=8, min_count=50).fit(planted(6, 20))


def test_corpus_too_small_for_vector_size():
    with pytest.raises(ModelError, match="vector_size=300"):
        Word2VecModel(vector_size=300, min_count=1).fit(planted(6, 20))


def test_empty_corpus():
    with pytest.raises(ModelError, match="no tokens"):
        Word2VecModel().fit([("a", []), ("b", [])])


def test_missing_token_table(tmp_path):
    with pytest.raises(StageMissingError, match="fnt annotate"):
        Word2VecModel().fit(tmp_path)


def test_word_not_in_vocabulary(w2v):
    with pytest.raises(ModelError, match="'gazoduc' is not in the vocabulary"):
        w2v.neighbours("gazoduc")
    assert w2v.count("gazoduc") == 0
    assert not w2v.in_vocabulary("gazoduc")


def test_unknown_document_id(w2v):
    with pytest.raises(InputError, match="no document with this id") as err:
        w2v.similar_documents("d999")
    assert err.value.doc_id == "d999"


# ----------------------------------------------------------------------------- exploration


@pytest.mark.parametrize("model", ["w2v", "ft", "d2v"])
def test_planted_neighbours_come_from_the_same_group(model, request):
    m = request.getfixturevalue(model)
    for word in ("gaz", "pékin", "match"):
        nb = m.neighbours(word, topn=5)
        assert list(nb.columns) == ["term", "display", "similarity", "count"]
        assert list(nb.display) == list(nb.term)  # token lists carry no surface forms: the keys
        assert word not in set(nb.term)
        assert [group_of(t) for t in nb.term].count(group_of(word)) >= 4, (word, nb)
        assert (nb["count"] > 0).all()
        assert nb["similarity"].is_monotonic_decreasing


def test_similarity_within_and_across_groups(w2v):
    assert w2v.similarity("gaz", "pétrole") > w2v.similarity("gaz", "match") + 0.3


def test_neighbours_min_count_hides_rare_words(docs):
    rare_docs = [*docs, ("rare", ["gaz", "pétrole", "lignite", "lignite"])]
    m = Word2VecModel(**SMALL).fit(rare_docs)
    assert m.count("lignite") == 2
    assert "lignite" not in set(m.neighbours("gaz", topn=50, min_count=3).term)


def test_fasttext_answers_unseen_inflection_from_subwords(ft):
    nb = ft.neighbours("gazière", topn=3)
    assert nb.attrs["from_subwords"] is True
    assert {group_of(t) for t in nb.term} == {"energie"}
    assert ft.neighbours("gaz").attrs["from_subwords"] is False
    assert 0 < ft.subword_coverage("gazière") < 1
    with pytest.raises(ModelError, match="n-grams"):
        ft.neighbours("xyqw")


def test_analogy_excludes_input_words(w2v):
    res = w2v.analogy(["pékin", "gaz"], ["chine"], topn=5)
    assert not {"pékin", "gaz", "chine"} & set(res.term)
    assert len(res) == 5


@pytest.mark.parametrize("model", ["w2v", "d2v"])
def test_similar_documents_share_the_group(model, request, docs):
    m = request.getfixturevalue(model)
    res = m.similar_documents("d000", topn=10)
    assert "d000" not in set(res.doc_id)
    same = sum(int(d[1:]) % 3 == 0 for d in res.doc_id)
    assert same >= 8, res
    assert m.document_similarity("d000", "d003") > m.document_similarity("d000", "d001")


def test_similar_documents_joins_metadata(w2v):
    import pandas as pd

    meta = pd.DataFrame({"id": ["d003", "d006"], "title": ["T3", "T6"], "section": ["s", "s"]})
    res = w2v.similar_documents("d000", topn=3, metadata=meta)
    assert {"doc_id", "similarity", "title", "section"} <= set(res.columns)


def test_doc2vec_tags_are_document_ids(d2v):
    assert set(d2v.model_.dv.index_to_key) == set(d2v.doc_ids_)
    np.testing.assert_array_equal(d2v.document_vector("d005"), d2v.model_.dv["d005"])
    v1 = d2v.infer_vector(GROUPS["sport"] * 3)
    v2 = d2v.infer_vector(GROUPS["sport"] * 3)
    assert v1.shape == (16,)
    np.testing.assert_allclose(v1, v2)


def test_doc2vec_paragraph_plus_words_vectors(d2v, docs, tmp_path):
    both = Doc2VecModel(doc_vectors="paragraph+words", **SMALL).fit(docs)
    assert both.doc_ids_ == d2v.doc_ids_
    vecs = both.document_vectors()
    assert vecs.shape == (len(docs), 32)
    np.testing.assert_allclose(vecs[:, :16], d2v.document_vectors(), rtol=1e-6)  # same training
    i = both.doc_ids_.index("d007")
    tokens = dict(docs)["d007"]
    np.testing.assert_allclose(vecs[i, 16:], both.model_.wv[tokens].mean(axis=0), rtol=1e-5, atol=1e-6)
    assert both.infer_vector(GROUPS["sport"] * 3).shape == (32,)
    sim = both.similar_documents("d000", topn=10)
    assert sum(int(d[1:]) % 3 == 0 for d in sim.doc_id) >= 8, sim
    both.save(tmp_path / "both")
    again = Doc2VecModel.load(tmp_path / "both")
    assert again.doc_vectors == "paragraph+words"
    np.testing.assert_array_equal(again.document_vectors(), vecs)
    with pytest.raises(ConfigError, match="dbow_words"):
        Doc2VecModel(doc_vectors="paragraph+words", dbow_words=False).fit(docs)


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_maps_are_dataframes(w2v, method):
    wm = w2v.word_map(method=method, n=20)
    assert list(wm.columns) == ["term", "display", "x", "y", "count"]
    assert len(wm) == 20 and np.isfinite(wm[["x", "y"]].to_numpy()).all()
    dm = w2v.document_map(doc_ids=w2v.doc_ids_[:12], method=method)
    assert list(dm.columns) == ["doc_id", "x", "y"] and len(dm) == 12


def test_word_map_skips_unknown_words(w2v, caplog):
    wm = w2v.word_map(["gaz", "pétrole", "match", "zzz"])
    assert list(wm.term) == ["gaz", "pétrole", "match"]
    assert "zzz" in caplog.text


def test_save_load_round_trip(tmp_path, ft):
    out = ft.save(tmp_path / "ft")
    manifest = load_model(out).manifest_
    assert manifest["kind"] == "embeddings" and manifest["model"] == "fasttext"
    assert manifest["params"]["random_state"] == 3
    assert manifest["training"]["tokens_hash"] == ft.training_["tokens_hash"]
    assert "peak_memory_mb" in manifest["training"]
    loaded = load_model(out)
    assert isinstance(loaded, FastTextModel)
    assert loaded.neighbours("gaz").equals(ft.neighbours("gaz"))
    assert loaded.similar_documents("d001").equals(ft.similar_documents("d001"))
    with pytest.raises(InputError, match="not empty"):
        ft.save(out)
    with pytest.raises(ModelError, match="fasttext"):
        Doc2VecModel.load(out)
    with pytest.raises(StageMissingError, match="not an embedding model"):
        load_model(tmp_path)


def test_cache_dir_keeps_the_token_cache(tmp_path, docs):
    Word2VecModel(**{**SMALL, "epochs": 2}, cache_dir=tmp_path).fit(docs[:10])
    lines = (tmp_path / "tokens.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].split() == docs[0][1]
    assert (tmp_path / "tokens.txt.ids").read_text(encoding="utf-8").split()[:2] == ["d000", "d001"]


def test_multiword_tokens_survive_the_cache():
    docs = [(f"d{i}", ["xi_jinping", "droit de douane", "pékin"] * 5) for i in range(6)]
    m = Word2VecModel(vector_size=2, min_count=1, epochs=2).fit(docs)
    assert {"xi_jinping", "droit_de_douane"} <= set(m.model_.wv.key_to_index)
    assert m.in_vocabulary("droit de douane")


def test_plain_token_lists_are_accepted():
    m = Word2VecModel(vector_size=4, min_count=1, epochs=2).fit([t for _, t in planted(10, 30)])
    assert m.doc_ids_[:2] == ["0", "1"]


# ----------------------------------------------------------------------------- topics


def test_embedding_coherence_ranks_planted_topics(w2v):
    topics = {"good": GROUPS["energie"], "mixed": GROUPS["sport"][:4] + GROUPS["diplomatie"][:4]}
    res = embedding_coherence(topics, w2v).set_index("topic")
    assert res.loc["good", "coherence"] > res.loc["mixed", "coherence"] + 0.2
    res = embedding_coherence([["gaz", "pétrole", "inconnu"], ["gaz"]], w2v)
    assert res.loc[0, "missing"] == ["inconnu"] and res.loc[0, "n_terms"] == 2
    assert np.isnan(res.loc[1, "coherence"])


def test_centroid_coherence_matches_gensim_c_w2v(w2v, docs):
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    topics = [GROUPS["energie"], GROUPS["sport"][:4] + GROUPS["diplomatie"][:4]]
    ours = embedding_coherence(topics, w2v, method="centroid")["coherence"].to_numpy()
    cm = CoherenceModel(
        topics=topics, keyed_vectors=w2v.model_.wv, coherence="c_w2v",
        dictionary=Dictionary(t for _, t in docs), topn=8,
    )  # fmt: skip
    np.testing.assert_allclose(ours, cm.get_coherence_per_topic(), rtol=1e-5)


def test_nearest_topic_terms_points_to_the_right_topic(w2v):
    res = nearest_topic_terms("gaz", GROUPS, w2v, topn=5)
    assert list(res.columns) == ["topic", "term", "similarity", "topic_similarity"]
    assert (res.topic == "energie").all() and "gaz" not in set(res.term)
    with pytest.raises(ModelError):
        nearest_topic_terms("inconnu", GROUPS, w2v)


# ----------------------------------------------------------------------------- periods


def test_period_embeddings_follow_a_shift():
    """*gaz* is an energy word in January and a diplomacy word in February."""
    rng = random.Random(1)
    docs, dates = [], {}
    for month, partner in (("2022-01", "energie"), ("2022-02", "diplomatie")):
        for i in range(60):
            group = GROUPS[partner] if i % 2 == 0 else GROUPS["sport"]
            toks = [rng.choice(group) if rng.random() < 0.6 else rng.choice(FILLER) for _ in range(80)]
            if i % 2 == 0:
                toks += ["gaz"] * 8
            doc_id = f"{month}-{i}"
            docs.append((doc_id, toks))
            dates[doc_id] = f"{month}-15"
    docs.append(("undated", ["gaz"] * 5))
    pe = PeriodEmbeddings(freq="month", vector_size=16, min_count=2, epochs=10, random_state=2)
    pe.fit(docs, dates)
    assert pe.periods_ == ["2022-01", "2022-02"]
    nb = pe.neighbours("gaz", topn=5)
    jan = set(nb[nb.period == "2022-01"].term)
    feb = set(nb[nb.period == "2022-02"].term)
    assert len(jan & set(GROUPS["energie"])) >= 4
    assert len(feb & set(GROUPS["diplomatie"])) >= 4
    shift = pe.shift("gaz")
    assert list(shift.columns) == ["period", "count", "similarity_to_previous"]
    assert np.isnan(shift.similarity_to_previous[0]) and -1 <= shift.similarity_to_previous[1] <= 1
    assert set(pe.rotations_) == {"2022-02"}
    rot = pe.rotations_["2022-02"]
    np.testing.assert_allclose(rot @ rot.T, np.eye(16), atol=1e-4)  # a rotation


def test_period_embeddings_bad_settings():
    with pytest.raises(ConfigError):
        PeriodEmbeddings(freq="week").fit(planted(6, 10), {})
    with pytest.raises(ModelError, match="no period"):
        PeriodEmbeddings(min_tokens=10_000).fit(planted(6, 10), {f"d{i:03d}": "2022-01-01" for i in range(6)})
