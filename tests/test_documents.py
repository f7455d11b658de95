"""Readers: every format, field mapping, and every bad-input case names file, line and problem."""

from __future__ import annotations

import gzip
import json

import pytest

from toolkit.corpus.documents import Corpus, Document, ReadOptions, parse_date
from toolkit.corpus.readers import read_documents
from toolkit.errors import InputError, StageMissingError

DOC = {"id": "a1", "title": "Titre", "text": "Le texte de l’article.", "date": "2024-10-02",
       "source": "Agence", "section": "international", "url": None}  # fmt: skip


def write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def docs(paths, **kw):
    out = []
    for rec in read_documents(paths, ReadOptions(**kw)):
        if rec.bad:
            raise rec.bad.error()
        out.append(rec.document)
    return out


def test_jsonl_roundtrip_and_extra_keys_go_to_meta(tmp_path):
    p = write_jsonl(tmp_path / "c.jsonl", [{**DOC, "author": "X. Y."}])
    (d,) = docs([p])
    assert d == Document(id="a1", title="Titre", text=DOC["text"], date="2024-10-02",
                         source="Agence", section="international", url=None, meta={"author": "X. Y."})  # fmt: skip
    assert d.full_text == "Titre\n\n" + DOC["text"]


def test_jsonl_gz(tmp_path):
    p = tmp_path / "c.jsonl.gz"
    with gzip.open(p, "wt", encoding="utf-8") as f:
        f.write(json.dumps(DOC) + "\n")
    assert [d.id for d in docs([p])] == ["a1"]


def test_csv_with_mapping_and_semicolons(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("identifiant;titre;corps;jour\nx1;Un titre;Du texte ici.;01/10/2024\n", encoding="utf-8")
    (d,) = docs([p], mapping={"id": "identifiant", "title": "titre", "text": "corps", "date": "jour"})
    assert (d.id, d.title, d.text, d.date) == ("x1", "Un titre", "Du texte ici.", "2024-10-01")


def test_parquet(tmp_path):
    import pandas as pd

    p = tmp_path / "c.parquet"
    pd.DataFrame([DOC]).to_parquet(p)
    assert docs([p])[0].text == DOC["text"]


def test_txt_file_title_from_first_line_and_md_front_matter(tmp_path):
    (tmp_path / "note.txt").write_text("Un titre\n\nPremier paragraphe.\n\nSecond.", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\ndate: 2024-11-05\nsection: politique\n---\nCorps du texte.", encoding="utf-8")
    (tmp_path / "README.md").write_text("not a document", encoding="utf-8")
    by_id = {d.id: d for d in docs([tmp_path])}
    assert set(by_id) == {"note", "b"}
    assert by_id["note"].title == "Un titre" and by_id["note"].text == "Premier paragraphe.\n\nSecond."
    assert (by_id["b"].date, by_id["b"].section) == ("2024-11-05", "politique")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2024-10-01", "2024-10-01"), ("mardi 1 octobre 2024", "2024-10-01"), ("1er oct. 2024", "2024-10-01"),
     ("01/10/2024", "2024-10-01"), ("Tue, 01 Oct 2024 08:00:00 +0200", "2024-10-01T08:00:00+02:00"),
     ("2024-10-01T06:00:00Z", "2024-10-01T06:00:00+00:00"), ("", None), (None, None)],
)  # fmt: skip
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["32/13/2024", "bientôt", "2024-02-30"])
def test_parse_date_rejects(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize(
    ("line", "reason", "words"),
    [("{not json", "invalid_json", "invalid JSON"),
     (json.dumps({"id": "b", "title": "t"}), "missing_text", "no text"),
     (json.dumps({"id": "b", "text": "   "}), "empty_text", "empty text"),
     (json.dumps({"id": "b", "text": "x", "date": "demain"}), "bad_date", "unparseable date"),
     ("[1, 2]", "invalid_json", "JSON object")],
)  # fmt: skip
def test_bad_records_name_file_and_line(tmp_path, line, reason, words):
    p = tmp_path / "bad.jsonl"
    p.write_text(json.dumps(DOC) + "\n" + line + "\n", encoding="utf-8")
    recs = list(read_documents([p]))
    assert recs[0].ok
    bad = recs[1].bad
    assert bad.reason == reason and bad.line == 2
    err = str(bad.error())
    assert "bad.jsonl:2" in err and words in err


def test_unknown_column_is_an_error_when_asked(tmp_path):
    p = write_jsonl(tmp_path / "c.jsonl", [{**DOC, "auteur": "Z"}])
    (rec,) = read_documents([p], ReadOptions(extra="error"))
    assert rec.bad.reason == "unknown_column" and "auteur" in rec.bad.problem
    (rec,) = read_documents([p], ReadOptions(extra="ignore"))
    assert rec.document.meta == {}


def test_missing_text_column_suggests_mapping(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("id,body\n1,Bonjour\n", encoding="utf-8")
    (rec,) = read_documents([p])
    assert "--map text=COLUMN" in rec.bad.problem and "body" in rec.bad.problem


def test_cp1252_file_is_detected_and_named(tmp_path):
    p = tmp_path / "latin.jsonl"
    p.write_bytes(json.dumps({"id": "c", "text": "Élysée, été, cœur"}, ensure_ascii=False).encode("cp1252"))
    with pytest.raises(InputError) as exc:
        list(read_documents([p]))
    msg = str(exc.value)
    assert "latin.jsonl:1" in msg and "--encoding" in msg
    (d,) = docs([p], encoding="auto")
    assert d.text == "Élysée, été, cœur"
    (d,) = docs([p], encoding="cp1252")
    assert d.text == "Élysée, été, cœur"


def test_unsupported_and_missing_paths(tmp_path):
    (tmp_path / "x.docx").write_bytes(b"PK")
    with pytest.raises(InputError, match="unsupported file type"):
        list(read_documents([tmp_path / "x.docx"]))
    with pytest.raises(InputError, match="no such file"):
        list(read_documents([tmp_path / "nope.jsonl"]))


def test_corpus_is_reiterable_and_requires_documents(tmp_path):
    from toolkit.corpus.ingest import ingest

    write_jsonl(tmp_path / "c.jsonl", [DOC, {**DOC, "id": "a2"}])
    ingest([tmp_path / "c.jsonl"], tmp_path / "out", progress=False)
    corpus = Corpus(tmp_path / "out", batch_size=1)
    assert [d.id for d in corpus] == [d.id for d in corpus] == ["a1", "a2"]
    assert len(corpus) == 2 and corpus.get("a2").id == "a2"
    with pytest.raises(InputError, match="no document with id"):
        corpus.get("zz")
    with pytest.raises(StageMissingError, match="fnt ingest"):
        Corpus(tmp_path)
