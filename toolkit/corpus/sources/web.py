"""Web pages: main text without boilerplate (trafilatura), date (htmldate), title, site, url.

Reads saved ``.html`` files or fetched pages. Menus, cookie banners, share buttons and
« Lire aussi » links are removed; scripts, styles and iframes never reach the text.

Examples
--------
>>> from toolkit.corpus.sources.web import extract_page
>>> page = extract_page(open("tests/data/sources/page.html", encoding="utf-8").read())  # doctest: +SKIP
>>> page["title"], page["date"]                                                          # doctest: +SKIP
('Le Parlement adopte la loi sur l’eau', '2024-10-01')
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from toolkit.corpus.clean import normalize, remove_boilerplate, strip_html
from toolkit.corpus.documents import BadRecord, ReadOptions, Record, _build_document, decode_bytes
from toolkit.errors import InputError

log = logging.getLogger(__name__)

#: A page whose main text is shorter than this (characters) has no main text (a menu, a
#: consent wall, an error page) and is skipped with reason ``no_main_text``.
MIN_MAIN_TEXT = 40
#: Pages larger than this are skipped (reason ``too_large``) rather than parsed.
MAX_PAGE_BYTES = 20 * 2**20
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_NON_CONTENT = re.compile(r"<(script|style|noscript|iframe|template|object|embed)\b.*?</\1\s*>", re.I | re.S)
_CANONICAL = re.compile(r"""<link[^>]+rel=["']canonical["'][^>]*>""", re.I)
_HREF = re.compile(r"""href=["']([^"']+)["']""", re.I)
_OG_URL = re.compile(r"""<meta[^>]+property=["']og:url["'][^>]+content=["']([^"']+)["']""", re.I)


def decode_html(data: bytes, path: Path | str, encoding: str = "utf-8") -> tuple[str, str]:
    """Decode an HTML file: the requested encoding, or the charset the page declares.

    With the default ``utf-8``, a page whose ``<meta charset>`` declares another encoding is
    decoded with that one (it is not a guess); ``auto`` detects; other names are used as is.
    """
    if encoding in ("utf-8", "utf8"):
        try:
            return decode_bytes(data, path, "utf-8")
        except InputError:
            m = _META_CHARSET.search(data[:4096])
            declared = m.group(1).decode("ascii", "replace").lower() if m else ""
            if declared and declared not in ("utf-8", "utf8"):
                try:
                    return data.decode(declared), declared
                except (LookupError, UnicodeDecodeError):
                    pass
            raise
    return decode_bytes(data, path, encoding)


def _fallback_text(html: str) -> str:
    return normalize(remove_boilerplate(strip_html(html)))


def extract_page(html: str, url: str | None = None) -> dict[str, Any]:
    """Main text and metadata of an HTML page.

    Returns
    -------
    dict
        ``title, text, date, source, url, author, categories, tags, description, extractor``;
        ``text`` may be empty when the page has no main text.
    """
    import trafilatura

    html = _NON_CONTENT.sub(" ", html)
    doc = None
    try:
        if "<" not in html:  # not markup at all: nothing for trafilatura to parse
            raise ValueError("no markup")
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False,
            date_extraction_params={"extensive_search": True, "original_date": True},
        )  # fmt: skip
    except Exception as exc:  # malformed markup trafilatura cannot handle
        log.debug("trafilatura failed (%s); falling back to tag stripping", exc)
    out: dict[str, Any] = {"extractor": "trafilatura"}
    if doc is not None and (doc.text or "").strip():
        text = doc.text
        title = (doc.title or "").strip() or None
        lines = text.split("\n")
        if title and lines and lines[0].strip() == title:
            text = "\n".join(lines[1:])
        out.update(
            title=title, text=normalize(remove_boilerplate(text)), date=doc.date,
            source=doc.sitename or doc.hostname, url=doc.url or url, author=doc.author,
            categories=list(doc.categories or []), tags=list(doc.tags or []),
            description=doc.description,
        )  # fmt: skip
    else:
        m = re.search(r"<title[^>]*>(.*?)</title>", html, re.I | re.S)
        out.update(extractor="strip_html", text=_fallback_text(html),
                   title=normalize(strip_html(m.group(1))) if m else None,
                   date=None, source=None, url=url)  # fmt: skip
        if out["text"] and out.get("date") is None:
            try:
                from htmldate import find_date

                out["date"] = find_date(html, extensive_search=False, original_date=True)
            except Exception:  # pragma: no cover - date is optional
                pass
    if not out.get("url"):
        m = _CANONICAL.search(html[:200_000])
        href = _HREF.search(m.group(0)) if m else None
        og = _OG_URL.search(html[:200_000])
        out["url"] = href.group(1) if href else (og.group(1) if og else None)
    if not out.get("source") and out.get("url"):
        out["source"] = urlparse(out["url"]).hostname
    return out


def page_record(html: str, path: str, url: str | None = None, doc_id: str | None = None,
                line: int | None = None, extra: dict[str, Any] | None = None) -> Record:  # fmt: skip
    """One page as a Record (a BadRecord when there is no main text)."""
    page = extract_page(html, url)
    raw: dict[str, Any] = {
        "id": doc_id or (hashlib.sha1(page["url"].encode()).hexdigest()[:16] if page.get("url") else Path(path).stem),
        "title": page.get("title"),
        "text": page.get("text") or "",
        "source": page.get("source"),
        "url": page.get("url"),
    }
    meta = {k: page[k] for k in ("author", "categories", "tags", "description") if page.get(k)}
    meta["extractor"] = page["extractor"]
    meta.update(extra or {})
    date = page.get("date")
    from toolkit.corpus.documents import parse_date

    try:
        raw["date"] = parse_date(date)
    except ValueError:
        meta["date_problem"] = f"unparseable date {date!r}"
    raw["meta"] = meta
    if len(raw["text"].strip()) < MIN_MAIN_TEXT:
        raw["text"] = ""
    rec = _build_document(raw, ReadOptions(), Path(path), line, raw["id"])
    if rec.bad is not None and rec.bad.reason == "empty_text":
        rec = Record(bad=BadRecord(path, line, "no_main_text", "no main text found in the page "
                                   "(only navigation or boilerplate)", raw["id"]),  # fmt: skip
                     path=path, line=line)
    return rec


def read_web_page(path: Path, text: str) -> Iterator[Record]:
    """A saved page (already decoded) as one document; its id is the file name."""
    yield page_record(text, str(path), doc_id=path.stem)


def fetch_page(url: str, timeout: float = 20.0, user_agent: str | None = None) -> str:
    """Download a page and decode it; raise InputError on HTTP errors and timeouts."""
    from toolkit.corpus.sources.http import http_get

    data, headers = http_get(url, timeout=timeout, user_agent=user_agent)
    m = re.search(r"charset=([\w.:-]+)", headers.get("Content-Type", "") or "")
    enc = m.group(1) if m else "utf-8"
    try:
        return data.decode(enc)
    except (LookupError, UnicodeDecodeError):
        return decode_html(data, url, "auto")[0]


def read_url(url: str, timeout: float = 20.0) -> Record:
    """Fetch a page and extract it into a Record."""
    try:
        html = fetch_page(url, timeout=timeout)
    except InputError as exc:
        return Record(bad=BadRecord(url, None, "fetch_failed", exc.message), path=url)
    return page_record(html, url, url=url)
