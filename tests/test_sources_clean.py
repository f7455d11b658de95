"""Cleaning steps: mojibake repair, HTML removal, normalisation, language and length filters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.corpus.clean import (
    Cleaner,
    explain,
    fix_encoding,
    normalize,
    remove_boilerplate,
    strip_html,
)
from toolkit.corpus.documents import Document, Record
from toolkit.errors import ConfigError


@pytest.mark.parametrize(
    "text_in, expected",
    [
        ("Ã©tÃ©", "été"),
        ("lâ€™Ã‰tat", "l’État"),  # curly apostrophe kept (the tokenizer normalises it)
        ("Â« Bonjour Â»", "« Bonjour »"),
        ("dÃ©jÃ  vu", "déjà vu"),
        ("aujourd’hui l’État", "aujourd’hui l’État"),  # clean text untouched
        ("1 250 000 €", "1 250 000 €"),
    ],
)
def test_fix_encoding(text_in, expected):
    assert fix_encoding(text_in) == expected


@pytest.mark.parametrize(
    "text_in, expected",
    [
        ("Le\u200bchat", "Lechat"),  # zero-width space
        ("a\u202eb\u202cc", "abc"),  # bidi override and pop
        ("a\u2066b\u2069", "ab"),  # bidi isolates
        ("\ufeffDébut", "Début"),  # stray BOM
        ("soft\u00adhyphen", "softhyphen"),
        ("e\u0301te\u0301", "été"),  # NFC
        ("Il a dit\u00a0: « 1\u202f250 »", "Il a dit\u00a0: « 1\u202f250 »"),  # French spaces kept
        ("a  \t b", "a b"),
        ("p1\r\n\r\n\r\n\r\np2", "p1\n\np2"),
        ("  \n ", ""),
    ],
)
def test_normalize(text_in, expected):
    assert normalize(text_in) == expected


@pytest.mark.parametrize(
    "text_in, expected",
    [
        ("<p>Un</p><p>Deux</p>", "Un\n\nDeux"),
        ("<p>a<script>alert(1)</script>b</p>", "ab"),
        ("<div>x<iframe src='y'>z</iframe></div>", "x"),
        ("<p>R&amp;D &eacute;t&eacute;</p>", "R&D été"),
        ("3 < 4 et 5 > 2", "3 < 4 et 5 > 2"),  # not markup: untouched
        ("<p>non fermé", "non fermé"),
    ],
)
def test_strip_html(text_in, expected):
    assert strip_html(text_in) == expected


def test_remove_boilerplate():
    text = "Début.\nLire aussi | Un autre sujet\nNous utilisons des cookies pour…\nFin."
    assert remove_boilerplate(text) == "Début.\nFin."


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once
    assert "\u200b" not in once and "\u202e" not in once


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_strip_html_never_raises_and_drops_tags(text):
    out = strip_html(f"<p>{text}</p>")
    assert "<p>" not in out


def _recs(*texts):
    return [Record(document=Document(id=str(i), text=t), path="x", line=i) for i, t in enumerate(texts)]


def test_cleaner_counts_and_filters():
    fr = "Le gouvernement a présenté mercredi son projet de budget pour l’année prochaine, en hausse."
    en = "The government presented its budget on Wednesday, with spending rising sharply next year."
    cleaner = Cleaner(["fix_encoding", "normalize"], language="fr", min_length=20)
    out = list(cleaner.filter(_recs(fr, "dÃ©jÃ  vu et revu, encore et encore, par tout le monde ici", en, "court")))
    assert [r.ok for r in out] == [True, True, False, False]
    assert out[1].document.text.startswith("déjà vu")
    assert [r.bad.reason for r in out if not r.ok] == ["wrong_language", "too_short"]
    rep = cleaner.report()
    assert rep["changed"] == {"fix_encoding": 1, "normalize": 0}
    assert rep["dropped"] == {"wrong_language": 1, "too_short": 1} and rep["documents_seen"] == 4


def test_unknown_step_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown cleaning step"):
        Cleaner(["typo"])


def test_explain_shows_each_step():
    steps = explain("<p>dÃ©jÃ \u200b</p>", ["strip_html", "fix_encoding", "normalize"])
    assert [name for name, _ in steps] == ["strip_html", "fix_encoding", "normalize"]
    assert steps[-1][1] == "déjà"
