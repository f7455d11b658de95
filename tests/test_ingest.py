"""fnt ingest: manifest, skip-and-count, duplicate ids, atomic output, CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from toolkit.cli import main
from toolkit.corpus.documents import Corpus
from toolkit.corpus.ingest import corpus_info, ingest
from toolkit.errors import InputError

from .conftest import CORPUS_DIR, SEED_ID

ROWS = [
    {"id": "d1", "title": "Un", "text": "Premier texte sur le gaz.", "date": "2024-09-03", "source": "A", "section": "economie"},
    {"id": "d2", "title": "Deux", "text": "Deuxième texte sur le pétrole.", "date": "2024-11-20", "source": "B", "section": "economie"},
    {"id": "d3", "text": "Troisième texte, sans titre.", "date": None, "source": "A", "section": "politique"},
]  # fmt: skip


def write(path, rows, extra_lines=()):
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_manifest_counts_and_hash(tmp_path):
    src = write(tmp_path / "in.jsonl", ROWS)
    m = ingest([src], tmp_path / "c", progress=False)
    assert m["documents"] == 3 and m["words"] == 14
    assert (m["date_min"], m["date_max"]) == ("2024-09-03", "2024-11-20")
    assert m["sections"] == {"economie": 2, "politique": 1}
    assert m["content_hash"].startswith("sha256:")
    assert m["versions"]["gensim"] and m["inputs"] == [{"path": str(src), "records": 3}]
    info = corpus_info(tmp_path / "c")
    assert info["sources"] == {"A": 2, "B": 1}
    # same content, same hash; different content, different hash
    m2 = ingest([src], tmp_path / "c2", progress=False)
    assert m2["content_hash"] == m["content_hash"]
    m3 = ingest([write(tmp_path / "in3.jsonl", ROWS[:2])], tmp_path / "c3", progress=False)
    assert m3["content_hash"] != m["content_hash"]


@pytest.mark.parametrize(
    ("line", "reason"),
    [("{oops", "invalid_json"), (json.dumps({"id": "d9", "text": ""}), "empty_text"),
     (json.dumps({"id": "d9"}), "missing_text"), (json.dumps({"id": "d9", "text": "x", "date": "30/02/2024"}), "bad_date"),
     (json.dumps({"id": "d1", "text": "encore d1"}), "duplicate_id")],
)  # fmt: skip
def test_bad_record_stops_or_is_skipped_and_counted(tmp_path, line, reason):
    src = write(tmp_path / "in.jsonl", ROWS, [line])
    with pytest.raises(InputError) as exc:
        ingest([src], tmp_path / "c", progress=False)
    assert "in.jsonl:4" in str(exc.value)
    assert not (tmp_path / "c").exists(), "a failed ingest must not leave a corpus directory"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".c.")], "temporary directory left behind"
    m = ingest([src], tmp_path / "c", skip_bad=True, progress=False)
    assert m["documents"] == 3 and m["skipped"] == {reason: 1}
    assert m["skipped_items"][0]["line"] == 4


def test_existing_output_needs_force_and_is_replaced_whole(tmp_path):
    src = write(tmp_path / "in.jsonl", ROWS)
    ingest([src], tmp_path / "c", progress=False)
    with pytest.raises(InputError, match="--force"):
        ingest([src], tmp_path / "c", progress=False)
    ingest([write(tmp_path / "in2.jsonl", ROWS[:1])], tmp_path / "c", force=True, progress=False)
    assert len(Corpus(tmp_path / "c")) == 1


def test_interrupted_ingest_leaves_no_corpus(tmp_path):
    """A process killed mid-way leaves only a hidden temporary directory, never DIR."""
    src = write(tmp_path / "in.jsonl", ROWS * 1)
    code = (
        "import os, toolkit.corpus.ingest as ti\n"
        "orig = ti._Stats.add\n"
        "def add(self, doc):\n"
        "    orig(self, doc)\n"
        "    if self.kept == 2: os._exit(9)\n"
        "ti._Stats.add = add\n"
        f"ti.ingest([{str(src)!r}], {str(tmp_path / 'c')!r}, progress=False)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code])
    assert proc.returncode == 9
    assert not (tmp_path / "c").exists()


def test_cli_ingest_and_info_json(tmp_path, capsys):
    src = write(tmp_path / "in.jsonl", ROWS)
    assert main(["-q", "ingest", str(src), "--out", str(tmp_path / "c")]) == 0
    capsys.readouterr()
    assert main(["info", str(tmp_path / "c"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert set(info) == {"documents", "words", "date_min", "date_max", "sections", "sources"}
    assert info["documents"] == 3


def test_cli_error_is_one_line_with_exit_code(tmp_path, capsys):
    src = write(tmp_path / "in.jsonl", ROWS, ["{oops"])
    assert main(["-q", "ingest", str(src), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "in.jsonl:4" in err and "invalid JSON" in err


def test_help_explains_itself():
    out = subprocess.run([sys.executable, "-m", "toolkit", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "ingest" in out.stdout and "info" in out.stdout
    out = subprocess.run([sys.executable, "-m", "toolkit", "ingest", "--help"], capture_output=True, text=True)
    assert "--skip-bad" in out.stdout and "--encoding" in out.stdout and "examples" in out.stdout


def test_bundled_corpus_ingests_with_seed(tmp_path):
    m = ingest([CORPUS_DIR], tmp_path / "c", progress=False)
    assert m["documents"] >= 151
    seed = Corpus(tmp_path / "c").get(SEED_ID)
    assert seed.source is None and seed.url is None and seed.section == "international"
    assert "Xi Jinping" in seed.text and seed.date.startswith("2024-10")


@pytest.mark.slow
@pytest.mark.shared_data
def test_lemonde_ingest_streams(tmp_path, lemonde_path):
    m = ingest([lemonde_path], tmp_path / "lm", progress=False)
    assert m["documents"] == 30518
    assert m["peak_memory_mb"] < 1500
    assert corpus_info(tmp_path / "lm")["date_min"].startswith("2022") or corpus_info(tmp_path / "lm")["date_min"] < "2022-02"
