"""A short-text version of Le Monde 2022: each article's title + the first 40 words of its text.

Same ids, dates, sections and sources as the full file, so the short items can be scored
against the full articles (coherence counted on the full texts as the reference corpus) and
against the sections (NMI). Words are whitespace-separated runs of the text, as a reader would
count them; nothing else is changed.

Usage::

    .venv/bin/python benchmarks/make_short_lemonde.py --words 40 --out /tmp/lm_short/lemonde_short.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import LEMONDE  # noqa: E402

FIELDS = ("id", "title", "text", "date", "source", "section", "url")


def shorten(doc: dict, words: int = 40) -> dict:
    """The document with ``text`` cut to its first ``words`` words (title kept whole)."""
    out = {k: doc.get(k) for k in FIELDS}
    out["text"] = " ".join((doc.get("text") or "").split()[:words])
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, default=LEMONDE)
    ap.add_argument("--words", type=int, default=40)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    n = n_words = 0
    with gzip.open(args.source, "rt", encoding="utf-8") as src, gzip.open(tmp, "wt", encoding="utf-8") as dst:
        for line in src:
            if not line.strip():
                continue
            doc = shorten(json.loads(line), args.words)
            n += 1
            n_words += len((doc["title"] or "").split()) + len(doc["text"].split())
            dst.write(json.dumps(doc, ensure_ascii=False) + "\n")
    tmp.replace(args.out)
    print(f"{n} documents, {n_words / max(n, 1):.1f} words each on average (title + text) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
