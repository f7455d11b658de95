"""Europresse HTML exports: one file holding many articles, one document per article.

An export (« Exporter » → HTML in Europresse) is an HTML page with one ``<article>`` per
document. In each article's header: the outlet (``span.DocPublicationName``), a header line
(``span.DocHeader``) such as ``Politique, mardi 1 octobre 2024 812 mots, p. 10`` (section,
date, optional time, word count, page), the title (``.titreArticle`` / ``.titreArticleVisu``),
an optional subtitle (``.rdp__subtitle``) and author (``.docAuthors`` or the
``.sm-margin-bottomNews`` line); the body (``.docOcurrContainer`` inside ``.DocText``); and
a footer with the copyright (``.Doc-LegalInfo``), « Cet article est paru dans … » (with the
original URL) and the document number (``.publiC-lblNodoc``, e.g. ``news·20241001·LM·x``).
Older exports put each article in a table cell with the same class names; both are read.

Missing fields give None (no title, no date, no section); an article without a body is a
BadRecord (``no_body``, a counted skip: exports list articles whose text is not available). Header and footer lines never reach the text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from toolkit.corpus.clean import normalize
from toolkit.corpus.documents import BadRecord, ReadOptions, Record, _build_document, parse_date

log = logging.getLogger(__name__)

_MARKERS = ("docOcurrContainer", "publiC-lblNodoc", "DocHeader", "TitreArticleVisu",
            "titreArticleVisu", "DocText")  # fmt: skip
_WEEKDAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_MONTHS = (r"(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
           r"novembre|décembre|decembre)")  # fmt: skip
_HEADER_DATE = re.compile(rf"(?:{_WEEKDAY}\s+)?(\d{{1,2}})(?:er)?\s+{_MONTHS}\s+\d{{4}}", re.I)
_TIME = re.compile(r"(\d{1,2})[:h](\d{2})(?:\s*UTC\s*([+-]\d{2}):?(\d{2}))?")
_WORDS = re.compile(r"(?<![\d:+])(\d{1,3}(?:[ \u00a0\u202f]\d{3})*|\d+)\s+mots", re.I)
_PAGE = re.compile(r"\bp\.\s*([\w()\-]+)")
_ISSUE = re.compile(r",?\s*(?:no|n°)\.?\s*\d+.*$", re.I)
_NODOC_DATE = re.compile(r"(\d{8})")
_FOOTER = re.compile(r"^\s*(?:©|\(c\)\s*\d{4}|Cet article est paru dans|Tous droits réservés|"
                     r"Illustration\(s\)\s*:|Note\(s\)\s*:|Retour au début)", re.I)  # fmt: skip


def looks_like_europresse(text: str) -> bool:
    """True when an HTML text carries Europresse's export markup."""
    head = text[:200_000]
    return "DocPublicationName" in head and any(marker in head for marker in _MARKERS)


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def _first(el, *classes: str):
    for cls in classes:
        found = el.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]")
        if found:
            return found[0]
    return None


def _text(el) -> str:
    return normalize(el.text_content()) if el is not None else ""


def parse_header(header: str) -> dict[str, Any]:
    """Section, date (ISO), word count and page from a ``DocHeader`` line.

    Examples
    --------
    >>> parse_header("Politique, mardi 1 octobre 2024 812 mots, p. 10")
    {'section': 'Politique', 'date': '2024-10-01', 'words': 812, 'page': '10'}
    >>> parse_header("lundi 30 septembre 2024 - 08:30 UTC +02:00 540 mots")["date"]
    '2024-09-30T08:30:00+02:00'
    """
    out: dict[str, Any] = {"section": None, "date": None, "words": None, "page": None}
    header = normalize(header)
    m = _HEADER_DATE.search(header)
    if m:
        try:
            day = parse_date(m.group(0))
        except ValueError:
            day = None
        rest = header[m.end() :]
        t = _TIME.search(rest[:40])
        if day and t and int(t.group(1)) < 24 and int(t.group(2)) < 60:
            tz = f"{t.group(3)}:{t.group(4)}" if t.group(3) else ""
            day = f"{day}T{int(t.group(1)):02d}:{t.group(2)}:00{tz}"
        out["date"] = day
        section = header[: m.start()].strip(" ,;-–")
        out["section"] = section or None
    w = _WORDS.search(header[m.end() :] if m else header)
    if w:
        out["words"] = int(re.sub(r"\D", "", w.group(1)))
    p = _PAGE.search(header)
    if p:
        out["page"] = p.group(1)
    return out


def _articles(root) -> list:
    arts = root.xpath("//article")
    if arts:
        return arts
    # older exports: the innermost container holding exactly one publication name
    out = []
    for span in root.xpath("//*[contains(@class, 'DocPublicationName')]"):
        node = span
        while node.getparent() is not None:
            parent = node.getparent()
            if len(parent.xpath(".//*[contains(@class, 'DocPublicationName')]")) > 1:
                break
            node = parent
            if node.tag in ("td", "div") and node.xpath(".//*[contains(@class, 'DocText') or contains(@class, 'docOcurrContainer')]"):
                break
        out.append(node)
    return out


def _body(article) -> tuple[str, str | None]:
    """Body paragraphs without header/footer lines, and the « paru dans » URL."""
    container = _first(article, "docOcurrContainer", "DocText")
    if container is None:
        return "", None
    url = None
    for a in container.xpath(".//a[@href]"):
        if "paru dans" in a.text_content():
            url = a.get("href")
    paragraphs = container.xpath(".//p")
    texts = [p.text_content() for p in paragraphs] if paragraphs else container.text_content().split("\n")
    lines = []
    for t in texts:
        t = normalize(t)
        if not t:
            continue
        if _FOOTER.match(t):
            continue
        lines.append(t)
    return "\n".join(lines), url


def parse_article(article, index: int, path: Path) -> Record:
    """One ``<article>`` element as a Record."""
    line = getattr(article, "sourceline", None) or index
    pub = _first(article, "DocPublicationName")
    publication = _text(pub) or None
    source = _ISSUE.sub("", publication).strip() or None if publication else None
    headers = article.xpath(".//*[contains(concat(' ', normalize-space(@class), ' '), ' DocHeader ')]")
    header_text = ", ".join(_text(h) for h in headers if _text(h))
    info = parse_header(header_text) if header_text else {"section": None, "date": None, "words": None, "page": None}
    title_el = _first(article, "titreArticleVisu", "titreArticle", "grandTitre", "TitreArticleVisu")
    title = _text(title_el) or None
    sub = _first(article, "rdp__subtitle")
    author_el = _first(article, "docAuthors")
    if author_el is None:
        cands = [el for el in article.xpath(".//*[contains(@class, 'sm-margin-bottomNews')]")
                 if "titreArticleVisu" not in _classes(el)]  # fmt: skip
        author_el = cands[-1] if cands else None
    author = _text(author_el) or None
    if author and len(author.split()) > 12:  # a paragraph, not a by-line
        author = None
    nodoc_el = _first(article, "publiC-lblNodoc")
    nodoc = _text(nodoc_el) or None
    text, url = _body(article)
    if title and text.startswith(title):
        text = text[len(title) :].lstrip("\n")
    if author and text.split("\n", 1)[0].strip() == author:
        text = text.split("\n", 1)[1] if "\n" in text else ""
    date = info["date"]
    if date is None and nodoc:
        m = _NODOC_DATE.search(nodoc)
        if m:
            s = m.group(1)
            try:
                date = parse_date(f"{s[:4]}-{s[4:6]}-{s[6:]}")
            except ValueError:
                date = None
    legal = _first(article, "Doc-LegalInfo")
    meta: dict[str, Any] = {"format": "europresse", "publication": publication, "author": author,
                            "word_count": info["words"], "page": info["page"],
                            "subtitle": _text(sub) or None, "europresse_id": nodoc,
                            "copyright": _text(legal) or None, "header": header_text or None}  # fmt: skip
    raw = {
        "id": (nodoc or f"{path.stem}-{index}").replace("·", "-").replace(" ", ""),
        "title": title,
        "text": text,
        "date": date,
        "source": source,
        "section": info["section"],
        "url": url,
        "meta": {k: v for k, v in meta.items() if v is not None},
    }
    if not text.strip():
        return Record(bad=BadRecord(str(path), line, "no_body",
                                    f"Europresse article {index} has no body text", raw["id"]),  # fmt: skip
                      path=str(path), line=line)
    return _build_document(raw, ReadOptions(), path, line, raw["id"])


def read_europresse(path: Path, text: str) -> Iterator[Record]:
    """Every article of a (decoded) Europresse export, in file order."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(text)
    except Exception as exc:
        yield Record(bad=BadRecord(str(path), None, "unparseable_html", f"cannot parse HTML ({exc})"),
                     path=str(path))  # fmt: skip
        return
    arts = _articles(root)
    if not arts:
        yield Record(bad=BadRecord(str(path), None, "no_articles", "Europresse markup but no article found"),
                     path=str(path))  # fmt: skip
        return
    for i, art in enumerate(arts, start=1):
        try:
            yield parse_article(art, i, path)
        except Exception as exc:  # one broken article never loses the others
            log.debug("europresse article %d failed", i, exc_info=True)
            yield Record(bad=BadRecord(str(path), i, "bad_article", f"article {i}: {type(exc).__name__}: {exc}"),
                         path=str(path), line=i)  # fmt: skip
