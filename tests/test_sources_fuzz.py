"""Inputs that fight back: every broken input ends in a clear error or a counted skip.

Never a crash that loses the items already read, never a partially written corpus.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.corpus.documents import ReadOptions
from toolkit.corpus.ingest import ingest
from toolkit.corpus.readers import read_documents
from toolkit.errors import InputError

DATA = Path(__file__).parent / "data" / "sources"
FIXTURES = sorted(p for p in DATA.iterdir() if p.is_file())
EXTENSIONS = [".xml", ".html", ".txt", ".md", ".jsonl", ".csv", ".atom"]
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u00ad"
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def read_all(path: Path, encoding: str = "utf-8") -> list:
    """Read a file; only InputError may escape (a clear, located message)."""
    try:
        return list(read_documents([path], ReadOptions(encoding=encoding)))
    except InputError as exc:
        assert str(exc)
        return [exc]


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@FUZZ
@given(fixture=st.sampled_from(FIXTURES), cut=st.floats(0, 1), encoding=st.sampled_from(["utf-8", "auto"]))
def test_truncated_files(tmp_path_factory, fixture, cut, encoding):
    data = fixture.read_bytes()
    p = _write(tmp_path_factory.mktemp("t"), fixture.name, data[: int(len(data) * cut)])
    read_all(p, encoding)


@FUZZ
@given(fixture=st.sampled_from(FIXTURES), junk=st.binary(min_size=1, max_size=16),
       at=st.floats(0, 1), encoding=st.sampled_from(["utf-8", "auto", "cp1252"]))  # fmt: skip
def test_invalid_bytes_and_mixed_encodings(tmp_path_factory, fixture, junk, at, encoding):
    data = fixture.read_bytes()
    i = int(len(data) * at)
    mixed = data[:i] + junk + data[i:].decode("utf-8", "replace").encode("cp1252", "replace")
    read_all(_write(tmp_path_factory.mktemp("b"), fixture.name, mixed), encoding)


@FUZZ
@given(ext=st.sampled_from(EXTENSIONS), data=st.binary(max_size=300))
def test_random_bytes_in_every_format(tmp_path_factory, ext, data):
    read_all(_write(tmp_path_factory.mktemp("r"), "x" + ext, data), "auto")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fixture=st.sampled_from([p for p in FIXTURES if p.suffix in (".xml", ".html")]),
       chars=st.lists(st.sampled_from(INVISIBLE), min_size=1, max_size=30), seed=st.integers(0, 10**6))  # fmt: skip
def test_zero_width_and_bidi_characters_are_removed(tmp_path_factory, fixture, chars, seed):
    import random

    text = fixture.read_text(encoding="utf-8")
    rnd = random.Random(seed)
    body_start = text.find("<body") if "<body" in text else text.find("<item")
    pieces = list(text)
    for c in chars:  # only inside text nodes' area, never inside the XML declaration
        pos = rnd.randrange(max(body_start, 0) + 1, len(pieces))
        pieces.insert(pos, c)
    p = _write(tmp_path_factory.mktemp("z"), fixture.name, "".join(pieces).encode("utf-8"))
    out = tmp_path_factory.mktemp("zo") / "c"
    try:
        ingest([p], out, skip_bad=True, clean=["strip_html", "normalize"], progress=False)
    except InputError:
        return
    from toolkit.corpus.documents import Corpus

    for doc in Corpus(out):
        assert not any(c in doc.text for c in INVISIBLE if c != "\u00ad")


@settings(max_examples=25, deadline=None)
@given(date=st.one_of(st.text(max_size=40), st.sampled_from([
    "Mon, 45 Feb 2024 99:99:99 +0200", "2024-02-31", "31 février 2024", "0000-00-00T00:00:00Z",
    "Tue, 01 Oct 99999 10:00:00 GMT", "", "-1", "1e309"])))  # fmt: skip
def test_feed_dates_never_crash(date):
    from xml.sax.saxutils import escape

    from toolkit.corpus.sources.rss import read_feed_bytes

    xml = (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>F</title>"
           f"<item><title>T</title><guid>g</guid><pubDate>{escape(date)}</pubDate>"
           f"<description>Un texte.</description></item></channel></rss>").encode("utf-8", "replace")  # fmt: skip
    try:
        recs = list(read_feed_bytes(xml, "f.xml"))
    except InputError:
        return
    for r in recs:
        if r.ok:
            d = r.document.date
            assert d is None or d[:4].isdigit()
            if d is None:
                assert r.document.meta["date_problem"]


@pytest.mark.parametrize("depth", [10, 1000, 20000])
def test_deeply_nested_and_malformed_html(tmp_path, depth):
    body = "<div>" * depth + "<p>Un paragraphe au fond de la page, avec assez de mots pour être le texte.</p>"
    html = f"<html><head><title>Profond</title></head><body>{body}<p>non fermé <b><i></body>"
    recs = read_all(_write(tmp_path, "deep.html", html.encode()))
    assert len(recs) == 1


def test_scripts_and_iframes_never_reach_the_text(tmp_path):
    html = ("<html><body><script>var secret='SCRIPT';</script><iframe src='x'>IFRAME</iframe>"
            "<article><p>" + "Le texte principal de l’article, sans code ni cadre intégré. " * 3 + "</p>"
            "<script>document.write('SCRIPT2')</script><noscript>NOSCRIPT</noscript><style>.x{}</style>"
            "</article></body></html>")  # fmt: skip
    (rec,) = read_all(_write(tmp_path, "s.html", html.encode()))
    for junk in ("SCRIPT", "IFRAME", "NOSCRIPT", ".x{"):
        assert junk not in rec.document.text


def test_empty_files_are_counted(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for ext in EXTENSIONS:
        (src / f"empty{ext}").write_bytes(b"")
    (src / "ok.jsonl").write_text(json.dumps({"id": "a", "text": "Un texte."}) + "\n", encoding="utf-8")
    m = ingest([src], tmp_path / "c", skip_bad=True, progress=False)
    assert m["documents"] == 1 and m["accounting"]["balanced"]
    assert sum(m["skipped"].values()) >= 4  # empty feeds/pages/texts each counted


def test_duplicate_ids_across_sources(tmp_path):
    a = tmp_path / "a.jsonl"
    b = tmp_path / "b.csv"
    a.write_text(json.dumps({"id": "same", "text": "Premier texte."}) + "\n", encoding="utf-8")
    b.write_text("id,text\nsame,Second texte différent.\n", encoding="utf-8")
    m = ingest([a, b], tmp_path / "c", skip_bad=True, progress=False)
    assert m["documents"] == 1 and m["skipped"] == {"duplicate_id": 1}
    assert m["skipped_items"][0]["path"] == str(b)
    with pytest.raises(InputError, match="duplicate id 'same'"):
        ingest([a, b], tmp_path / "d", progress=False)


def test_a_crash_midway_leaves_no_corpus(tmp_path, monkeypatch):
    """An unexpected failure after some documents were read writes nothing that looks complete."""
    import toolkit.corpus.registry as registry

    def exploding(path, opts):
        from toolkit.corpus.documents import Document, Record

        yield Record(document=Document(id="x1", text="Un."), path=str(path), line=1)
        raise RuntimeError("simulated crash")

    monkeypatch.setitem(registry.READERS, ".boom", exploding)
    p = _write(tmp_path, "a.boom", b"x")
    with pytest.raises(RuntimeError):
        ingest([p], tmp_path / "c", skip_bad=True, progress=False)
    assert not (tmp_path / "c").exists() and not list(tmp_path.glob(".c*"))


@pytest.mark.slow
def test_50_mb_single_document_streams(tmp_path):
    para = "Le conseil municipal a voté la rénovation de la piscine, fermée depuis deux ans. "
    text = (para * (50 * 2**20 // len(para.encode()) + 1))
    src = tmp_path / "big.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "big", "text": text}, ensure_ascii=False) + "\n")
        f.write(json.dumps({"id": "small", "text": "Un petit document."}) + "\n")
    page = tmp_path / "big.html"
    page.write_bytes(b"<html><body><p>" + b"x " * (26 * 2**20) + b"</p></body></html>")
    m = ingest([src, page], tmp_path / "c", skip_bad=True, progress=False)
    assert m["documents"] == 2 and m["skipped"] == {"too_large": 1}
    assert m["accounting"]["balanced"]
