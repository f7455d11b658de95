"""The bundled corpus: fields, seed article, size, dates, sections, typography."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date

import pytest

from .conftest import CORPUS_DIR, SEED_ID

KEYS = ["id", "title", "text", "date", "source", "section", "url"]


def load():
    docs = []
    for path in sorted(CORPUS_DIR.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            doc = json.loads(line)
            doc["_where"] = f"{path.name}:{n}"
            docs.append(doc)
    return docs


DOCS = load()
DISPATCHES = [d for d in DOCS if d["id"] != SEED_ID]


def test_every_document_has_the_fields_and_unique_ids():
    for d in DOCS:
        assert list(d)[:7] == KEYS, d["_where"]
        assert d["text"].strip() and d["title"].strip(), d["_where"]
    ids = Counter(d["id"] for d in DOCS)
    assert not [i for i, n in ids.items() if n > 1]


def test_seed_article_with_honest_metadata():
    (seed,) = [d for d in DOCS if d["id"] == SEED_ID]
    raw = (CORPUS_DIR.parent.parent / "shared" / "seed" / "000_4aed66ba79373d17.txt")
    if raw.is_file():
        original = raw.read_text(encoding="utf-8")
        assert seed["title"] == original.splitlines()[0].strip()
        assert " ".join(seed["text"].split()) in " ".join(original.split())
    assert seed["source"] is None and seed["url"] is None
    assert seed["section"] == "international" and seed["date"].startswith("2024-10")
    assert "date_precision" in seed


def test_size_dates_and_sections():
    assert len(DISPATCHES) >= 150
    # words = whitespace-separated items holding a letter or digit (a lone « : » or « % » after a
    # no-break space is not a word)
    words = [sum(bool(re.search(r"\w", w)) for w in d["text"].split()) for d in DISPATCHES]
    assert sum(words) >= 30_000
    assert all(120 <= w <= 350 for w in words), [d["_where"] for d, w in zip(DISPATCHES, words, strict=True) if not 120 <= w <= 350]
    for d in DISPATCHES:
        day = date.fromisoformat(d["date"])
        assert date(2024, 9, 1) <= day <= date(2024, 12, 31), d["_where"]
        assert d["url"] is None and d["illustrative"] is True, d["_where"]
    sections = Counter(d["section"] for d in DISPATCHES)
    for s in ("international", "economie", "planete", "politique", "societe", "sport", "culture", "sciences"):
        assert sections[s] >= 5, (s, sections)
    assert len({d["source"] for d in DISPATCHES}) >= 3


@pytest.mark.parametrize(
    ("words", "minimum"),
    [(("droits de douane", "exportations", "sanctions", "véhicules électriques", "accord commercial"), 25),
     (("gaz", "pétrole", "OPEP+", "nucléaire", "renouvelables", "prix de l’électricité"), 25),
     (("sommet", "BRICS", "ONU", "visite d’État", "coopération"), 25)],
)  # fmt: skip
def test_trade_energy_and_diplomacy_are_prominent(words, minimum):
    hits = [d for d in DISPATCHES if any(w.lower() in d["text"].lower() for w in words)]
    assert len(hits) >= minimum


def test_french_typography():
    for d in DISPATCHES:
        for field in ("title", "text"):
            s = d[field]
            assert "'" not in s and '"' not in s, d["_where"]
            assert "« " not in s and " »" not in s, f"{d['_where']}: guillemets need no-break spaces"
    assert sum("\u202f" in d["text"] or "\u00a0" in d["text"] for d in DISPATCHES) >= 100
