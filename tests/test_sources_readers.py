"""Readers for real-world sources: Europresse exports, RSS/Atom feeds, web pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.corpus.documents import ReadOptions
from toolkit.corpus.readers import read_documents, reader_for
from toolkit.errors import InputError

DATA = Path(__file__).parent / "data" / "sources"


def _read(name: str, **opts):
    return list(read_documents([DATA / name], ReadOptions(**opts)))


# ----------------------------------------------------------------------------- Europresse

def test_europresse_one_document_per_article():
    recs = _read("europresse_export.html")
    assert len(recs) == 4
    docs = [r.document for r in recs if r.ok]
    assert [d.id for d in docs] == ["news-20241001-GL-0001", "news-20241002-EV-0002", "news-20241003-CS-0003"]
    first = docs[0]
    assert first.source == "La Gazette du Littoral"  # issue number removed
    assert first.meta["publication"] == "La Gazette du Littoral, no. 24815"
    assert (first.date, first.section, first.title) == (
        "2024-10-01", "Politique", "Le conseil régional vote un budget de transition")
    assert first.meta["author"] == "Claire Martin" and first.meta["word_count"] == 142
    assert first.meta["page"] == "6" and first.meta["subtitle"].startswith("Les élus")
    assert first.url == "https://www.gazette-littoral.example/politique/budget-transition"
    # header and footer lines never reach the text
    for junk in ("Cet article est paru", "©", "Tous droits réservés", "mots", "news·", "Claire Martin"):
        assert junk not in first.text
    assert first.text.startswith("Le conseil régional a adopté") and first.text.endswith("à l’issue du vote.")


def test_europresse_time_and_missing_fields():
    docs = [r.document for r in _read("europresse_export.html") if r.ok]
    assert docs[1].date == "2024-10-02T07:45:00+02:00" and docs[1].section is None
    assert "author" not in docs[1].meta
    brief = docs[2]  # no header line, empty title: date from the document number
    assert (brief.title, brief.section, brief.date) == (None, None, "2024-10-03")


def test_europresse_article_without_body_is_a_bad_record():
    bad = [r.bad for r in _read("europresse_export.html") if not r.ok]
    assert len(bad) == 1 and bad[0].reason == "no_body" and bad[0].doc_id == "news-20241003-CS-0004"
    assert bad[0].line and bad[0].line > 1  # the article's line in the file


@pytest.mark.parametrize(
    "header, expected",
    [
        ("Politique, mardi 1 octobre 2024 812 mots, p. 10",
         {"section": "Politique", "date": "2024-10-01", "words": 812, "page": "10"}),
        ("mardi 1er octobre 2024 1 540 mots",
         {"section": None, "date": "2024-10-01", "words": 1540, "page": None}),
        ("Économie, Entreprises, jeudi 3 octobre 2024 - 18:05 UTC +0200 402 mots",
         {"section": "Économie, Entreprises", "date": "2024-10-03T18:05:00+02:00", "words": 402, "page": None}),
        ("International, 31 décembre 2023, p. A4",
         {"section": "International", "date": "2023-12-31", "words": None, "page": "A4"}),
        ("Sports, samedi 31 février 2024 300 mots",  # impossible date: no date, not a crash
         {"section": "Sports", "date": None, "words": 300, "page": None}),
        ("", {"section": None, "date": None, "words": None, "page": None}),
    ],
)  # fmt: skip
def test_europresse_header_lines(header, expected):
    from toolkit.corpus.sources.europresse import parse_header

    assert parse_header(header) == expected


def test_older_table_export_layout(tmp_path):
    html = (
        "<html><body><table><tr><td>"
        "<span class='DocPublicationName'>Le Journal</span>"
        "<span class='DocHeader'>Société, lundi 7 octobre 2024 50 mots</span>"
        "<span class='TitreArticleVisu'>Un ancien format</span>"
        "<div class='DocText'><p>Le texte de l’article dans l’ancien format de tableau.</p>"
        "<p>© 2024 Le Journal. Tous droits réservés.</p></div>"
        "</td></tr><tr><td>"
        "<span class='DocPublicationName'>Le Journal</span>"
        "<span class='DocHeader'>mardi 8 octobre 2024</span>"
        "<div class='DocText'><p>Deuxième article.</p></div>"
        "</td></tr></table></body></html>"
    )
    p = tmp_path / "old.html"
    p.write_text(html, encoding="utf-8")
    docs = [r.document for r in read_documents([p]) if r.ok]
    assert [d.date for d in docs] == ["2024-10-07", "2024-10-08"]
    assert docs[0].title == "Un ancien format" and "©" not in docs[0].text


# ----------------------------------------------------------------------------- feeds

def test_rss_items():
    recs = _read("feed_rss.xml")
    docs = [r.document for r in recs]
    assert all(r.ok for r in recs) and len(docs) == 3
    flood = docs[0]
    assert flood.source == "Le Fil Régional – Actualités"
    assert flood.date == "2024-10-02T09:10:00+02:00"  # the feed's own time zone is kept
    assert flood.meta["author"] == "Rédaction avec AFP" and flood.section == "Société"
    assert flood.url.endswith("/inondations")
    assert "<p>" not in flood.text and "track()" not in flood.text and "Lire aussi" not in flood.text


def test_rss_missing_and_impossible_dates_are_kept_and_flagged():
    docs = [r.document for r in _read("feed_rss.xml")]
    assert docs[1].date is None and docs[1].meta["date_problem"] == "no date"
    assert docs[2].date is None and "45 Feb 2024" in docs[2].meta["date_problem"]


def test_atom_content_preferred_over_summary():
    docs = [r.document for r in _read("feed_atom.xml")]
    orchid = docs[0]
    assert orchid.text.startswith("Des botanistes ont découvert dans les Pyrénées")
    assert orchid.meta["summary"] == "Des botanistes ont découvert une orchidée inconnue."
    assert orchid.source == "Sciences & Planète" and orchid.meta["author"] == "Jeanne Leroy"
    assert orchid.date == "2024-10-05T10:30:00+00:00"


def test_malformed_feed_is_an_input_error(tmp_path):
    p = tmp_path / "broken.xml"
    p.write_text("<?xml version='1.0'?><rss><channel><title>x</titl", encoding="utf-8")
    with pytest.raises(InputError, match="RSS/Atom"):
        list(read_documents([p]))


def test_feed_saved_as_html_is_read_as_a_feed(tmp_path):
    p = tmp_path / "feed.html"
    p.write_bytes((DATA / "feed_atom.xml").read_bytes())
    assert len([r for r in read_documents([p]) if r.ok]) == 2


# ----------------------------------------------------------------------------- web pages

def test_web_page_main_text_without_boilerplate():
    (rec,) = _read("page.html")
    doc = rec.document
    assert doc.title == "Le Parlement adopte la loi sur l’eau"
    assert doc.date == "2024-10-01" and doc.source == "Journal des Territoires"
    assert doc.url == "https://journal-territoires.example/2024/10/01/loi-eau"
    assert doc.text.startswith("Le Parlement a définitivement adopté")
    assert "tarification progressive" in doc.text
    for junk in ("cookies", "Accueil", "Lire aussi", "Les plus lus", "newsletter", "track(", "Mentions légales"):
        assert junk not in doc.text, junk


def test_web_page_declared_charset_is_used(tmp_path):
    html = ("<html><head><meta charset='windows-1252'><title>Été</title></head><body><article>"
            "<p>" + "Le marché d’été ouvre ses portes à la mi-juin, a annoncé la mairie. " * 4 + "</p>"
            "</article></body></html>")  # fmt: skip
    p = tmp_path / "page.html"
    p.write_bytes(html.encode("cp1252"))
    (rec,) = read_documents([p])
    assert "marché d’été" in rec.document.text


def test_page_without_main_text_is_counted(tmp_path):
    p = tmp_path / "menu.html"
    p.write_text("<html><body><nav><a href='/'>Accueil</a></nav><script>x()</script></body></html>")
    (rec,) = read_documents([p])
    assert not rec.ok and rec.bad.reason in ("no_main_text", "empty_text")


def test_readers_registered_by_extension():
    from toolkit.corpus.sources import read_feed_file, read_html

    assert reader_for(Path("a.xml")) is read_feed_file and reader_for(Path("b.atom")) is read_feed_file
    assert reader_for(Path("c.html")) is read_html and reader_for(Path("d.HTM")) is read_html
