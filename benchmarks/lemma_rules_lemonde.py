"""Suspicious lemmas on a real vocabulary: where the annotation's rules disagree with a lexicon.

Reads a corpus directory's token table (``tokens.parquet``, any annotation mode) and lists the
(form, part of speech) -> lemma rewrites that look wrong, most frequent first:

* ``unknown-lemma``: the form is a word simplemma knows, simplemma leaves it as it is (it is
  already a lemma: *taux*, *faux*, *prix*), and the annotation rewrote it into a string that
  is not a word (*taux* -> *tal*);
* ``lexicon-disagrees``: the form is known, simplemma gives another *known* lemma and the
  annotation's lemma is not a word at all.

Each row says which suffix rule of the annotation probably made the rewrite (the form's and
the lemma's differing endings), so a rule error shows as many rows with the same ending pair.
This is a review list, not a score: frequent rows are checked by hand and become
``(text_in, expected)`` tests.

Usage::

    .venv/bin/python benchmarks/lemma_rules_lemonde.py --corpus-dir /tmp/lm --top 60 \\
        --out benchmarks/results/lemma_rules_lemonde.json
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path


def _ending_pair(form: str, lemma: str) -> str:
    i = 0
    while i < min(len(form), len(lemma)) and form[i] == lemma[i]:
        i += 1
    return f"-{form[i:]} -> -{lemma[i:]}"


def suspicious_lemmas(corpus_dir: str | Path, min_count: int = 2) -> list[dict]:
    """Rows ``{form, upos, lemma, count, kind, rule, simplemma}`` for the suspicious rewrites."""
    import pyarrow.parquet as pq
    import simplemma

    table = pq.read_table(Path(corpus_dir) / "tokens.parquet", columns=["form", "lemma", "upos"])
    counts: Counter = Counter()
    for batch in table.to_batches(1_000_000):
        f, lem, u = (batch.column(c).to_pylist() for c in ("form", "lemma", "upos"))
        counts.update(zip((x.lower() if x else "" for x in f), (x or "" for x in lem), (x or "" for x in u), strict=True))

    def known(w: str) -> bool:
        try:
            return bool(simplemma.is_known(w, lang="fr"))
        except ValueError:
            return False

    rows = []
    for (form, lemma, upos), n in counts.items():
        if n < min_count or upos not in ("NOUN", "ADJ", "VERB") or not form.isalpha() or lemma.lower() == form:
            continue
        if known(lemma.lower()):
            continue
        if not known(form):
            continue
        sl = simplemma.lemmatize(form, lang="fr")
        if sl == form:
            kind = "unknown-lemma"
        elif known(sl):
            kind = "lexicon-disagrees"
        else:
            continue
        rows.append({"form": form, "upos": upos, "lemma": lemma, "count": n, "kind": kind,
                     "rule": _ending_pair(form, lemma.lower()), "simplemma": sl})  # fmt: skip
    rows.sort(key=lambda r: -r["count"])
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus-dir", required=True, type=Path)
    ap.add_argument("--top", type=int, default=60)
    ap.add_argument("--min-count", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    rows = suspicious_lemmas(args.corpus_dir, args.min_count)
    by_rule: Counter = Counter()
    for r in rows:
        by_rule[r["rule"]] += r["count"]
    print(f"{len(rows)} suspicious (form, upos) -> lemma rewrites, {sum(r['count'] for r in rows)} tokens")
    print("most frequent ending pairs:", ", ".join(f"{k} ({v})" for k, v in by_rule.most_common(15)))
    for r in rows[: args.top]:
        print(f"{r['count']:>7}  {r['form']:<20} {r['upos']:<5} -> {r['lemma']:<20} {r['kind']:<18} {r['rule']:<16} simplemma: {r['simplemma']}")
    if args.out:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from _util import dump

        dump(args.out, {"rows": rows[: max(args.top, 200)], "by_rule": by_rule.most_common(50),
                        "suspicious_types": len(rows), "suspicious_tokens": sum(r["count"] for r in rows),
                        "command": " ".join(sys.argv)})  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
