"""RSS and Atom feeds (feedparser): one document per item.

Each item gives title, date, summary (or full content when the feed carries it), link, author,
categories, and the feed's name as ``source``. Items without a date keep ``date=None``; items
whose date is impossible (``31 février``, hour 99) keep ``date=None`` and say so under
``meta.date_problem``. A malformed feed from which no item can be read is an InputError.

Examples
--------
>>> from pathlib import Path
>>> recs = list(read_feed_bytes(Path("tests/data/sources/feed_rss.xml").read_bytes(),
...                             "feed_rss.xml"))  # doctest: +SKIP
"""

from __future__ import annotations

import calendar
import datetime as _dt
import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from toolkit.corpus.clean import normalize, remove_boilerplate, strip_html
from toolkit.corpus.documents import BadRecord, ReadOptions, Record, _build_document, parse_date
from toolkit.errors import InputError

log = logging.getLogger(__name__)


def looks_like_feed(head: bytes | str) -> bool:
    """True when the start of a file is an RSS, RDF or Atom document."""
    if isinstance(head, bytes):
        head = head[:4096].decode("utf-8", "replace")
    head = head[:4096].lower()
    return "<rss" in head or "<feed" in head or "<rdf:rdf" in head


def _struct_to_iso(st) -> str | None:
    try:
        return _dt.datetime.fromtimestamp(calendar.timegm(st), _dt.UTC).isoformat()
    except (OverflowError, ValueError, TypeError):
        return None


def item_key(entry: Any) -> str:
    """A stable key for a feed item: its id, else its link, else a hash of title and summary."""
    key = entry.get("id") or entry.get("link")
    if key:
        return str(key).strip()
    basis = f"{entry.get('title', '')}\n{entry.get('summary', '')}"
    return "sha1:" + hashlib.sha1(basis.encode("utf-8", "replace")).hexdigest()


def _clean(value: str | None) -> str:
    return normalize(remove_boilerplate(strip_html(value or "")))


def entry_to_raw(entry: Any, feed_title: str | None, feed_url: str | None = None) -> dict[str, Any]:
    """Map a feedparser entry onto document fields (``meta`` holds the rest)."""
    summary = _clean(entry.get("summary"))
    contents = [_clean(c.get("value")) for c in entry.get("content", []) or []]
    text = max([summary, *contents], key=len)
    meta: dict[str, Any] = {"format": "feed", "item_key": item_key(entry)}
    if feed_url:
        meta["feed_url"] = feed_url
    if entry.get("author"):
        meta["author"] = normalize(strip_html(entry["author"]))
    tags = [t.get("term") for t in entry.get("tags", []) or [] if t.get("term")]
    if tags:
        meta["categories"] = tags
    if contents and summary and summary != text:
        meta["summary"] = summary
    date = None
    for parsed, raw_key in (("published_parsed", "published"), ("updated_parsed", "updated")):
        raw_value = dict.get(entry, raw_key)
        if raw_value:  # the original string keeps the feed's time zone
            try:
                date = parse_date(raw_value)
                break
            except (ValueError, OverflowError):
                meta["date_problem"] = f"unparseable date {raw_value!r}"
        parsed_value = dict.get(entry, parsed)
        if parsed_value:
            date = _struct_to_iso(parsed_value)
            if date:
                meta.pop("date_problem", None)
                break
    if date is None and "date_problem" not in meta:
        meta["date_problem"] = "no date"
    return {
        "id": item_key(entry),
        "title": _clean(entry.get("title")) or None,
        "text": text,
        "date": date,
        "source": feed_title,
        "section": tags[0] if tags else None,
        "url": entry.get("link"),
        "meta": meta,
    }


def parse_feed(data: bytes) -> Any:
    """feedparser's result for the feed bytes (never fetches anything)."""
    import feedparser

    return feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)


def read_feed_bytes(data: bytes, path: str, feed_name: str | None = None,
                    feed_url: str | None = None) -> Iterator[Record]:  # fmt: skip
    """Every item of a feed as Records; ``feed_name`` overrides the feed's own title."""
    parsed = parse_feed(data)
    entries = parsed.get("entries", []) or []
    title = feed_name or normalize(strip_html(parsed.get("feed", {}).get("title") or "")) or None
    if not entries:
        if parsed.get("bozo"):
            raise InputError(
                f"not a readable RSS/Atom feed ({parsed.get('bozo_exception')})", path=str(path)
            )
        log.info("%s: feed with no items", path)
        return
    if parsed.get("bozo"):
        log.warning("%s: malformed feed, %d item(s) recovered (%s)", path, len(entries),
                    parsed.get("bozo_exception"))  # fmt: skip
    for i, entry in enumerate(entries, start=1):
        try:
            raw = entry_to_raw(entry, title, feed_url)
        except Exception as exc:  # one odd item never loses the others
            log.debug("feed item %d failed", i, exc_info=True)
            yield Record(bad=BadRecord(str(path), i, "bad_item", f"item {i}: {type(exc).__name__}: {exc}"),
                         path=str(path), line=i)  # fmt: skip
            continue
        rec = _build_document(raw, ReadOptions(), Path(path), i, raw["id"])
        if rec.bad is not None and rec.bad.reason == "empty_text":
            rec = Record(bad=BadRecord(str(path), i, "empty_item",
                                       "feed item without title text or summary", raw["id"]),  # fmt: skip
                         path=str(path), line=i)
        yield rec
