"""Annotation pipeline: text, file and corpus annotation, CoNLL-U and token table output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.annotation.annotate import (
    TOKEN_COLUMNS,
    annotate_corpus,
    annotate_documents,
    annotate_text,
    to_conllu_lines,
    to_table,
)
from toolkit.annotation.conllu import parse_conllu
from toolkit.annotation.normalise import IGNORABLE_RE
from toolkit.annotation.taggers import WordAnnotation
from toolkit.errors import StageMissingError


class LowerTagger:
    """Test stand-in tagger: lemma = lower-cased form, UPOS X; capitalised words (and the
    elided word before one) are tagged as a PER entity, to exercise the entity rules."""

    name = "lower"
    version = "0"

    def __init__(self, fail_on: str | None = None, interrupt_on: str | None = None):
        self.fail_on = fail_on
        self.interrupt_on = interrupt_on

    def tag(self, sentences):
        out = []
        for sent in sentences:
            if self.fail_on in sent:
                raise ValueError(f"cannot tag {self.fail_on!r}")
            if self.interrupt_on in sent:
                raise KeyboardInterrupt
            row, prev = [], False
            for i, w in enumerate(sent):
                nxt = sent[i + 1] if i + 1 < len(sent) else ""
                ent = (w[:1].isupper() and w.isalpha()) or (w.endswith("'") and nxt[:1].isupper())
                row.append(WordAnnotation(w.lower(), "X", "_", "PER" if ent else "",
                                          ("I" if prev else "B") if ent else "O"))  # fmt: skip
                prev = ent
            out.append(row)
        return out


TEXT = "L’amitié sino-russe : Xi Jinping parle du rôle des États-Unis, a-t-il dit.\n\nFin."


def conllu_of(text: str) -> str:
    return "\n".join(to_conllu_lines(annotate_text(text, tagger=LowerTagger(), doc_id="d"))) + "\n"


def test_conllu_output_forms_multiword_and_misc() -> None:
    out = conllu_of(TEXT)
    sents = list(parse_conllu(out.splitlines()))
    assert [s.comments["sent_id"] for s in sents] == ["d-1", "d-2"]
    assert sents[0].comments["text"] == TEXT.split("\n")[0]
    lines = out.splitlines()
    assert "1\tL’\tl'\tX\t_\t_\t_\t_\t_\tSpaceAfter=No|Norm=L'|TokenRange=0:2" in lines
    i = next(k for k, line in enumerate(lines) if line.split("\t")[1:2] == ["du"])
    assert re.match(r"\d+-\d+\tdu\t_", lines[i])
    assert lines[i + 1].split("\t")[1:3] == ["de", "de"]
    assert lines[i + 2].split("\t")[1:3] == ["le", "le"]
    forms = [t.form for s in sents for t in s.tokens]
    assert "-t-il" in forms and "États-Unis" in forms and "sino-russe" in forms


def test_entities_become_spans_and_skip_elided_words() -> None:
    doc = annotate_text("Selon l’Élysée, Xi Jinping et Vladimir Poutine parlent.", tagger=LowerTagger())
    words = [w for s in doc.words for tok in s for w in tok]
    ents = {w.form: (w.ent_type, w.ent_id) for w in words}
    assert ents["l’"] == ("", -1)  # never an entity on an elided word
    assert ents["Élysée"][0] == "PER"
    assert ents["Xi"][1] == ents["Jinping"][1] != ents["Vladimir"][1] == ents["Poutine"][1]
    assert ents["Selon"][1] != ents["Élysée"][1]
    out = "\n".join(to_conllu_lines(doc))
    assert "NE=B-PER" in out and "NE=I-PER" in out
    assert not re.search(r"\tl’\t.*NE=", out)


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab éÉ’'\u00a0-.,«»du\n\u200b\x07")), max_size=60))
def test_conllu_forms_keep_every_non_space_character(text: str) -> None:
    sents = list(parse_conllu(conllu_of(text).splitlines()))
    forms = "".join(t.form for s in sents for t in s.tokens)
    # FORM keeps the original characters; ignorable (control / zero-width) characters only
    # survive inside a word, and are compared without them
    expected = re.sub(r"\s", "", IGNORABLE_RE.sub("", text))
    assert re.sub(r"\s", "", IGNORABLE_RE.sub("", forms)) == expected


def test_long_documents_are_segmented_without_changing_the_result() -> None:
    text = (TEXT + "\n") * 20
    whole = list(annotate_documents([("d", text)], LowerTagger()))
    parts = list(annotate_documents([("d", text)], LowerTagger(), segment_chars=120))
    assert len(whole) == 1 and len(parts) > 5
    assert to_table(whole).equals(to_table(parts))
    rows = to_table(parts).to_pydict()
    for s, e, f in zip(rows["start"], rows["end"], rows["form"], strict=True):
        if f not in ("de", "le", "à", "les"):
            assert text[s:e] == f
    assert rows["word"] == list(range(len(rows["word"])))


def test_failed_document_does_not_stop_the_others() -> None:
    docs = list(annotate_documents([("a", "Bonjour."), ("b", "Boum ici."), ("c", "Fin.")],
                                   LowerTagger(fail_on="ici")))  # fmt: skip
    assert [(d.doc_id, d.error is None) for d in docs] == [("a", True), ("b", False), ("c", True)]
    assert "cannot tag 'ici'" in docs[1].error


# --------------------------------------------------------------------------------- corpora


def make_corpus(tmp_path: Path, records: list[dict]) -> Path:
    """A corpus directory with the documented ``documents.parquet`` layout (written directly,
    so that documents ``fnt ingest`` would refuse, such as empty texts, can be tested)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "corpus"
    out.mkdir()
    cols = ("id", "title", "text", "date", "source", "section", "url", "meta")
    rows = [{c: r.get(c, "{}" if c == "meta" else None) for c in cols} for r in records]
    pq.write_table(pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in cols])),
                   out / "documents.parquet")  # fmt: skip
    return out


RECORDS = [
    {"id": "a", "title": "Titre", "text": "L’État parle du pain. Il a-t-il faim ?",
     "date": "2022-01-03", "source": "Le Monde", "section": "économie"},
    {"id": "b", "title": "", "text": "Des enfants jouent au ballon.", "date": "2022-01-04",
     "source": "Le Monde", "section": "société"},
    {"id": "c", "title": "Vide", "text": "", "date": None, "source": "AFP", "section": None},
    {"id": "d", "title": "", "text": "The quick brown fox jumps over the lazy dog while the "
     "cat sleeps on the mat and the birds sing in the trees all day long.",
     "date": "2022-01-05", "source": "BBC", "section": "world"},
]  # fmt: skip


def test_annotate_corpus_writes_token_table_and_manifest(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    corpus = make_corpus(tmp_path, RECORDS)
    manifest = annotate_corpus(corpus, tagger=LowerTagger(), progress=False, batch_size=2)
    table = pq.read_table(corpus / "tokens.parquet")
    assert tuple(table.column_names) == TOKEN_COLUMNS
    assert str(table.schema.field("sent").type) == "int32"
    assert str(table.schema.field("space_after").type) == "bool"
    rows = table.to_pylist()
    a = [r for r in rows if r["doc_id"] == "a"]
    full_text = "Titre\n\nL’État parle du pain. Il a-t-il faim ?"
    assert [r["form"] for r in a][:5] == ["Titre", "L’", "État", "parle", "de"]
    du = [r for r in a if r["form"] in ("de", "le")]
    assert du[0]["token"] == du[1]["token"] and du[0]["word"] + 1 == du[1]["word"]
    assert full_text[du[0]["start"] : du[0]["end"]] == "du"
    assert a[1]["norm"] == "L'" and a[1]["space_after"] is False
    assert {r["sent"] for r in a} == {0, 1, 2}
    b = [r["form"] for r in rows if r["doc_id"] == "b"]
    assert b[:2] == ["Des", "enfants"] and "à" in b  # indefinite des kept, au split
    assert not [r for r in rows if r["doc_id"] == "c"] or all(
        r["form"] == "Vide" for r in rows if r["doc_id"] == "c"
    )
    saved = json.loads((corpus / "annotation.json").read_text(encoding="utf-8"))
    assert saved["counts"]["documents"] == 4 == manifest["counts"]["documents"]
    assert saved["counts"]["words"] == table.num_rows
    assert saved["non_french_documents"] == ["d"]
    assert saved["tagger"] == {"name": "lower", "version": "0"}
    assert saved["documents_sha256"].startswith("sha256:")
    assert not list(corpus.glob("*.tmp"))


def test_empty_text_gives_zero_rows_and_is_counted(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    corpus = make_corpus(tmp_path, [{"id": "e", "text": "   "}, {"id": "f", "text": "Oui."}])
    manifest = annotate_corpus(corpus, tagger=LowerTagger(), progress=False)
    assert manifest["counts"]["empty_documents"] == 1
    assert manifest["empty_documents"] == ["e"]
    assert set(pq.read_table(corpus / "tokens.parquet").column("doc_id").to_pylist()) == {"f"}


def test_failed_document_is_recorded(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    corpus = make_corpus(tmp_path, RECORDS)
    manifest = annotate_corpus(corpus, tagger=LowerTagger(fail_on="ballon"), progress=False)
    assert manifest["counts"]["failed_documents"] == 1
    assert manifest["failed"][0]["id"] == "b" and "ballon" in manifest["failed"][0]["reason"]
    ids = set(pq.read_table(corpus / "tokens.parquet").column("doc_id").to_pylist())
    assert ids == {"a", "c", "d"}


def test_interrupted_run_leaves_no_token_table(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, RECORDS)
    with pytest.raises(KeyboardInterrupt):
        annotate_corpus(corpus, tagger=LowerTagger(interrupt_on="ballon"), progress=False,
                        batch_size=1)  # fmt: skip
    assert not (corpus / "tokens.parquet").exists()
    assert not (corpus / "annotation.json").exists()
    assert not [p for p in corpus.iterdir() if p.name.startswith(".tokens")]


def test_missing_stage(tmp_path: Path) -> None:
    with pytest.raises(StageMissingError, match="fnt ingest"):
        annotate_corpus(tmp_path, tagger=LowerTagger())


def test_real_fast_tagger_in_two_processes(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    corpus = make_corpus(tmp_path, RECORDS * 1)
    manifest = annotate_corpus(corpus, "fast", n_process=2, batch_size=1, progress=False)
    table = pq.read_table(corpus / "tokens.parquet")
    assert manifest["settings"]["n_process"] == 2
    assert table.num_rows == manifest["counts"]["words"] > 20
    assert table.column("doc_id").to_pylist()[0] == "a"  # corpus order kept
    assert "PUNCT" in table.column("upos").to_pylist()


# ------------------------------------------------------------------------------------- CLI


def test_cli_text_file_to_conllu(tmp_path: Path, capsys) -> None:
    from toolkit.cli import main

    src = tmp_path / "article.txt"
    src.write_text(TEXT, encoding="utf-8")
    assert main(["annotate", str(src), "--mode", "fast", "--format", "conllu"]) == 0
    out = capsys.readouterr().out
    sents = list(parse_conllu(out.splitlines()))
    assert sents[0].comments["sent_id"] == "article-1"
    forms = "".join(t.form for s in sents for t in s.tokens)
    assert forms == re.sub(r"\s", "", TEXT)


def test_cli_stdin(monkeypatch, capsys) -> None:
    import io
    import sys

    from toolkit.cli import main

    fake = io.TextIOWrapper(io.BytesIO(b"Il parle au maire."), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    assert main(["annotate", "-"]) == 0
    assert "\tau\t" in capsys.readouterr().out


def test_cli_invalid_utf8_and_encoding_option(tmp_path: Path, capsys) -> None:
    from toolkit.cli import main

    src = tmp_path / "latin.txt"
    src.write_bytes("Un été à Noël.".encode("cp1252"))
    assert main(["annotate", str(src)]) == 2
    err = capsys.readouterr().err
    assert "latin.txt" in err and "byte offset 3" in err and "--encoding" in err
    assert main(["annotate", str(src), "--encoding", "cp1252"]) == 0
    assert "\tété\t" in capsys.readouterr().out


def test_cli_iramuteq_text_and_corpus(tmp_path: Path, capsys) -> None:
    from toolkit.cli import main

    src = tmp_path / "art icle.txt"
    src.write_text("L’État *dit* oui.", encoding="utf-8")
    assert main(["annotate", str(src), "--format", "iramuteq"]) == 0
    assert capsys.readouterr().out == "**** *source_art_icle\nL'État  dit  oui.\n"
    corpus = make_corpus(tmp_path, RECORDS[:2])
    out = tmp_path / "ira.txt"
    assert main(["annotate", str(corpus), "--format", "iramuteq", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "**** *source_Le_Monde *date_2022_01_03 *section_economie"
    assert lines[1].startswith("Titre")


def test_cli_corpus_conllu_and_missing_stage(tmp_path: Path, capsys) -> None:
    from toolkit.cli import main

    corpus = make_corpus(tmp_path, RECORDS[:2])
    out = tmp_path / "c.conllu"
    assert main(["annotate", str(corpus), "--format", "conllu", "--out", str(out),
                 "--n-process", "1"]) == 0  # fmt: skip
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# newdoc id = a\n# sent_id = a-1\n# text = Titre\n")
    assert "# newdoc id = b" in text
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["annotate", str(empty)]) == 2
    assert "fnt ingest" in capsys.readouterr().err


def test_cli_strict_fails_only_when_asked(tmp_path: Path, monkeypatch, capsys) -> None:
    import toolkit.annotation.annotate as annotate_module
    from toolkit.cli import main

    corpus = make_corpus(tmp_path, RECORDS)
    monkeypatch.setattr(annotate_module, "resolve_tagger",
                        lambda mode, tagger=None: LowerTagger(fail_on="ballon"))  # fmt: skip
    assert main(["-q", "annotate", str(corpus), "--n-process", "1"]) == 0
    assert "warning: 1 document(s) failed" in capsys.readouterr().out
    assert main(["annotate", str(corpus), "--n-process", "1", "--strict"]) == 2
    err = capsys.readouterr().err
    assert "failed, e.g. b: ValueError: cannot tag 'ballon'" in err


def test_document_failing_in_a_later_segment_is_reported_once() -> None:
    text = "Premier morceau.\n" * 10 + "Boum ici.\n" + "Fin.\n" * 5
    docs = list(annotate_documents([("a", "Avant."), ("long", text), ("z", "Après.")],
                                   LowerTagger(fail_on="ici"), segment_chars=40,
                                   batch_sentences=2))  # fmt: skip
    errors = [d for d in docs if d.error]
    assert [d.doc_id for d in errors] == ["long"]
    assert {d.doc_id for d in docs if not d.error} >= {"a", "z"}


def test_conllu_columns_are_in_ud_order():
    """ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC: features in column 6, not 5."""
    from toolkit.annotation.annotate import annotate_text, to_conllu_lines

    lines = [ln for ln in to_conllu_lines(annotate_text("Les enfants sont arrivés.", mode="fast"))
             if ln and not ln.startswith("#")]  # fmt: skip
    cols = lines[1].split("\t")
    assert len(cols) == 10
    assert cols[3] == "NOUN" and cols[4] == "_" and "Number=Plur" in cols[5]
