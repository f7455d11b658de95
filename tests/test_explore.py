"""Exploration helpers on a tiny annotated corpus: KWIC, entities, counts, project root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.annotation.explore import (
    document_entities,
    document_tokens,
    documents_over_time,
    entity_counts,
    kwic,
    same_period,
)
from toolkit.runtime import project_root

DOCS = [
    {"id": "a", "title": "Sanctions", "text": "Les sanctions contre la Russie pèsent sur l’Union européenne.",
     "date": "2024-10-01", "source": "S1", "section": "international"},
    {"id": "b", "title": "Coopération", "text": "Pékin et Moscou renforcent leur coopération. La sanction tombe.",
     "date": "2024-10-03", "source": "S2", "section": "international"},
    {"id": "c", "title": "Énergie", "text": "Le prix du gaz baisse en novembre à Paris.",
     "date": "2024-11-20", "source": "S1", "section": "economie"},
]  # fmt: skip


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    from toolkit.annotation.annotate import annotate_corpus
    from toolkit.corpus.ingest import ingest

    d = tmp_path_factory.mktemp("explore")
    src = d / "docs.jsonl"
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in DOCS) + "\n", encoding="utf-8")
    ingest([src], d / "corpus", progress=False)
    annotate_corpus(d / "corpus", mode="fast", n_process=1, progress=False)
    return d / "corpus"


def test_project_root_finds_the_checkout(monkeypatch, tmp_path):
    assert (project_root() / "experiments" / "demo.toml").is_file()
    monkeypatch.setenv("FNT_ROOT", str(tmp_path))
    assert project_root() == tmp_path


def test_kwic_matches_lemmas_and_keeps_the_original_text(corpus):
    k = kwic(corpus, "sanction", window=3)
    assert list(k["doc_id"]) == ["a", "a", "b"]  # title, text, then the singular in b
    assert set(k["keyword"]) == {"Sanctions", "sanctions", "sanction"}
    row = k.iloc[1]
    assert row["left"].endswith("Les") and row["right"].startswith("contre la Russie")
    assert kwic(corpus, "sanction", limit=1).shape[0] == 1
    eu = kwic(corpus, "sur l'union", unit="norm", window=2)
    assert len(eu) == 1 and eu.iloc[0]["keyword"] == "sur l’Union"  # typographic apostrophe kept


def test_entities_and_tokens(corpus):
    toks = document_tokens(corpus, "b")
    assert {"form", "lemma", "upos", "ent_type"} <= set(toks.columns)
    ents = entity_counts(corpus, top=10)
    assert list(ents.columns) == ["entity", "type", "count", "documents"]
    assert "Russie" in set(ents["entity"]) or "Moscou" in set(ents["entity"])
    assert set(document_entities(corpus, "b")["entity"]) & {"Pékin", "Moscou"}


def test_counts_and_same_period(corpus):
    months = documents_over_time(corpus, "month")
    assert months.to_dict("records") == [{"period": "2024-10", "documents": 2}, {"period": "2024-11", "documents": 1}]
    by = documents_over_time(corpus, "month", by="source")
    assert by["documents"].sum() == 3
    assert list(same_period(corpus, "a", days=7)["id"]) == ["a", "b"]
