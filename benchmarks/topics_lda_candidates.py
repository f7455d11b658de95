"""Settings of the default topic model (``TomotopyLDA``) side by side, on one bag of words.

Each candidate is a set of ``TomotopyLDA`` parameters (``iterations=120,burn_in=40,nmf_prior=4.0``)
trained with ``--seeds`` seeds (0, 1, …) on the same bag of words, one after the other in this
process; every run's probability-ranked top terms are scored by the independent evaluator
``../shared/eval/topic_eval.py`` (NPMI of the top 10, diversity of the top 25, NMI of each
document's main topic against ``section``) over one reference, and each candidate's stability
is the mean best-match Jaccard of the top 10 over every pair of seeds. Training seconds are
wall time of ``fit`` (NMF start included). ``--seeded-start`` gives the NMF start the run's
seed instead of the fixed :data:`toolkit.topics.tomotopy_lda.NMF_START_SEED` (the behaviour
before the start was made independent of the seed).

Usage (the bag of words cached by ``benchmarks/topics_lemonde.py``, ``CORPUS_DIR_bench_bow``,
and the reference it writes, ``CORPUS_DIR_reference.jsonl``)::

    .venv/bin/python benchmarks/topics_lda_candidates.py --bow /tmp/lm_bench_bow \\
        --reference /tmp/lm_reference.jsonl --k 20 --seeds 3 \\
        --variants "iterations=500,burn_in=100,nmf_prior=2.0" "iterations=120,burn_in=40,nmf_prior=4.0" \\
        --out benchmarks/results/topics_lda_candidates_k20.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import dump  # noqa: E402


def parse_variant(spec: str) -> dict:
    out = {}
    for item in filter(None, spec.split(",")):
        key, value = item.split("=")
        out[key] = float(value) if "." in value else int(value) if value.lstrip("-").isdigit() else value
    return out


def main(argv=None) -> int:
    from topics_lemonde import shared_evaluator

    from toolkit.topics import tomotopy_lda
    from toolkit.topics.evaluation import stability
    from toolkit.vocabulary import BagOfWords

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bow", required=True, type=Path)
    ap.add_argument("--reference", required=True, type=Path)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--variants", nargs="+", required=True)
    ap.add_argument("--seeded-start", action="store_true", help="NMF start seeded with the run's seed (old behaviour)")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    te = shared_evaluator()
    bow = BagOfWords.load(args.bow)
    fixed = tomotopy_lda.NMF_START_SEED
    runs = {}
    for spec in args.variants:
        tops, mains, secs = [], [], []
        for seed in range(args.seeds):
            tomotopy_lda.NMF_START_SEED = seed if args.seeded_start else fixed
            t0 = time.perf_counter()
            est = tomotopy_lda.TomotopyLDA(n_topics=args.k, random_state=seed, **parse_variant(spec)).fit(bow)
            secs.append(round(time.perf_counter() - t0, 1))
            out = est.output()
            tops.append(out.all_top_terms(25))
            mains.append(out.main_topic().tolist())
            print(f"{spec} seed {seed}: {secs[-1]} s", flush=True)
        runs[spec] = {"tops": tops, "mains": mains, "secs": secs, "ids": out.doc_ids}
    tomotopy_lda.NMF_START_SEED = fixed
    terms = set()
    for r in runs.values():
        for t in r["tops"]:
            terms |= te.needed_terms(t, 10)
    ref = te.Reference(args.reference, terms, ("section",), None)
    rows = []
    for spec, r in runs.items():
        ev = [te.evaluate(ref, t, dict(zip(r["ids"], m, strict=True))) for t, m in zip(r["tops"], r["mains"], strict=True)]
        row = {"variant": spec, "k": args.k, "seeded_start": args.seeded_start,
               "npmi": [round(e["npmi"], 4) for e in ev], "nmi": [round(e["nmi"], 4) for e in ev],
               "diversity": [round(e["diversity"], 3) for e in ev],
               "stability": round(stability(r["tops"], 10), 4) if len(r["tops"]) > 1 else None,
               "train_s": r["secs"], "top10_seed0": [" ".join(t[:10]) for t in r["tops"][0]]}  # fmt: skip
        print(json.dumps({k: v for k, v in row.items() if k != "top10_seed0"}), flush=True)
        rows.append(row)
    import os

    dump(args.out, {"results": rows, "load_after": os.getloadavg(), "command": " ".join(sys.argv)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
