"""``fnt info``: summarise a corpus directory."""

from __future__ import annotations

import argparse
import json


def run(args: argparse.Namespace) -> int:
    from toolkit.corpus.ingest import corpus_info, format_info

    info = corpus_info(args.corpus)
    if args.json:
        keys = ("documents", "words", "date_min", "date_max", "sections", "sources")
        print(json.dumps({k: info[k] for k in keys}, ensure_ascii=False, indent=2))
    else:
        print(format_info(info, str(args.corpus)))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "info",
        help="summarise a corpus directory",
        description="Documents, words, date range, sections and sources of a corpus directory.",
    )
    p.add_argument("corpus", metavar="CORPUS_DIR")
    p.add_argument(
        "--json", action="store_true",
        help="print JSON with keys documents, words, date_min, date_max, sections, sources",
    )  # fmt: skip
    p.set_defaults(func=run)
