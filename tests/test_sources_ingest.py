"""``fnt ingest`` on a folder mixing every source kind: one corpus, every item accounted for."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.corpus.documents import Corpus
from toolkit.corpus.ingest import ingest
from toolkit.errors import InputError

DATA = Path(__file__).parent / "data" / "sources"


@pytest.fixture
def mixed(tmp_path) -> Path:
    """Europresse HTML, RSS and Atom, a web page, JSONL, CSV, cp1252 and mojibake text."""
    src = tmp_path / "in"
    shutil.copytree(DATA, src)
    (src / "notes.jsonl").write_text(
        '{"id": "j1", "title": "Note", "text": "Un document JSON Lines écrit pour le test.", "date": "2024-10-06"}\n'
        '{"id": "j2", "text": "Le festival de musique baroque accueille cette année vingt ensembles venus de toute '
        'l’Europe, pendant dix jours de concerts dans les églises de la ville."}\n'
        "{not json}\n",
        encoding="utf-8",
    )
    (src / "table.csv").write_text('id,title,text,date\nc1,CSV,"Un document CSV, avec une virgule.",2024-10-07\n'
                                   "c2,Sans texte,,2024-10-07\n", encoding="utf-8")  # fmt: skip
    return src


def test_mixed_folder_accounts_for_every_item(mixed, tmp_path):
    m = ingest([mixed], tmp_path / "c", skip_bad=True, dedup="near", options=_auto(),
               clean=["fix_encoding", "strip_html", "normalize"], progress=False)  # fmt: skip
    acc = m["accounting"]
    # 4 Europresse articles, 3 RSS items, 2 Atom entries, 1 page, 3 JSONL lines, 2 CSV rows, 2 .txt
    assert acc["items_read"] == 17
    assert acc["balanced"] and acc["kept"] == m["documents"] == 12
    assert acc["duplicates"] == 2  # the AFP dispatch (Europresse + RSS), the festival (RSS + JSONL)
    assert m["skipped"] == {"no_body": 1, "missing_text": 1, "invalid_json": 1}
    assert {s["reason"] for s in m["skipped_items"]} == {"no_body", "missing_text", "invalid_json"}
    corpus = Corpus(tmp_path / "c")
    ids = set(corpus.ids())
    assert {"news-20241001-GL-0001", "urn:uuid:orchidee-2024", "page", "j1", "c1", "cp1252_note"} <= ids
    # earliest kept: the Europresse dispatch (07:45) over the RSS item (09:10)
    assert "news-20241002-EV-0002" in ids and "https://fil-regional.example/2024/10/02/inondations" not in ids
    dup = m["duplicates"]
    assert dup["groups"] == 2 and dup["keep"] == "earliest" and dup["table"] == "duplicates.csv"
    table = (tmp_path / "c" / "duplicates.csv").read_text(encoding="utf-8").splitlines()
    assert len(table) == 5  # header + 2 groups of 2
    # cp1252 decoded and said so; mojibake repaired and counted
    assert any(k.endswith("cp1252_note.txt") for k in m["encodings_detected"])
    assert m["encodings_detected"][str(mixed / "cp1252_note.txt")] == "cp1252"
    assert "marché d’été" in corpus.get("cp1252_note").text
    assert corpus.get("mojibake").title == "Un titre cassé" and m["cleaning"]["changed"]["fix_encoding"] == 1
    assert m["date_problems"] == 2


def _auto():
    from toolkit.corpus.documents import ReadOptions

    return ReadOptions(encoding="auto")


def test_cli_ingest_and_info_json(mixed, tmp_path, capsys):
    out = tmp_path / "c"
    code = main(["-q", "ingest", str(mixed), "--out", str(out), "--dedup", "exact",
                 "--encoding", "auto", "--skip-bad"])  # fmt: skip
    assert code == 0
    capsys.readouterr()
    assert main(["info", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert info["documents"] == manifest["documents"] == manifest["accounting"]["kept"]
    assert manifest["accounting"]["duplicates"] == 1  # exact: only the festival text
    assert manifest["cleaning"]["steps"] == ["fix_encoding", "strip_html", "normalize"]


def test_cli_language_and_length_filters(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "fr", "text": "Le gouvernement a présenté mercredi son projet de budget pour l’an prochain."}) + "\n"
        + json.dumps({"id": "en", "text": "The government presented its budget plan for next year on Wednesday morning."}) + "\n"
        + json.dumps({"id": "short", "text": "Trop court."}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    out = tmp_path / "c"
    assert main(["-q", "ingest", str(src), "--out", str(out), "--lang", "fr", "--min-length", "20"]) == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["documents"] == 1 and m["accounting"]["filtered"] == {"wrong_language": 1, "too_short": 1}
    assert m["accounting"]["balanced"]


def test_without_skip_bad_nothing_is_written(mixed, tmp_path):
    with pytest.raises(InputError, match="no body text|invalid JSON|no text"):
        ingest([mixed], tmp_path / "c", options=_auto(), progress=False)
    assert not (tmp_path / "c").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".c")]  # no temporary leftovers


def test_missing_content_is_skipped_even_without_skip_bad(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(DATA / "europresse_export.html", src)
    (src / "menu.html").write_text("<html><body><nav><a href='/'>Accueil</a></nav></body></html>")
    (src / "empty.xml").write_bytes(b"")
    m = ingest([src], tmp_path / "c", progress=False)
    assert m["documents"] == 3 and m["skipped"] == {"no_body": 1, "no_main_text": 1, "empty_file": 1}
    assert m["accounting"]["balanced"]


def test_utf8_default_rejects_cp1252_with_a_hint(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes("Un été à Paris, déjà.".encode("cp1252"))
    with pytest.raises(InputError, match="--encoding auto"):
        ingest([p], tmp_path / "c", progress=False)


def test_file_failing_midway_keeps_earlier_items(tmp_path):
    p = tmp_path / "a.jsonl"
    good = "".join(json.dumps({"id": f"d{i}", "text": f"Document numéro {i}."}) + "\n" for i in range(3000))
    p.write_bytes(good.encode() + b'{"id": "bad", "text": "caf\xe9"}\n')
    other = tmp_path / "b.jsonl"
    other.write_text(json.dumps({"id": "b1", "text": "Un autre fichier."}) + "\n", encoding="utf-8")
    m = ingest([p, other], tmp_path / "c", skip_bad=True, progress=False)
    # the reader decodes by blocks: the lines before the block holding the bad byte are kept
    assert 2000 < m["documents"] <= 3001 and m["skipped"] == {"unreadable_file": 1}
    assert "not valid UTF-8" in m["skipped_items"][0]["problem"]
    assert "b1" in set(Corpus(tmp_path / "c").ids())
    assert m["accounting"]["balanced"]
