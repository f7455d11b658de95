"""Coverage of effect intervals on synthetic corpora with a planted effect, side by side:

* **composition**: :func:`toolkit.topics.effects.estimate_effects` (draws from the documents'
  topic posterior, OLS per draw, coefficients pooled; stm's method of composition);
* **plug-in**: the same OLS (HC3) on the posterior-mean shares, as if they were known (what a
  regression on ``document_topics.csv`` gives).

Each repetition draws a corpus as in ``tests/test_effects.py``: true shares from a Dirichlet,
outlet B raises topic 0 by ``PLANTED``, ``section`` has no effect, ``LENGTH`` tokens per
document drawn from the true shares, posterior Dirichlet(1/K + counts). Reported: share of 95 %
intervals covering the planted difference and zero for the null covariate, median width.

Usage::

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/effects_coverage.py --reps 200 --length 60 10
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_effects import PLANTED, simulate  # noqa: E402
from toolkit.topics.effects import estimate_effects  # noqa: E402
from toolkit.topics.posterior import TopicPosterior  # noqa: E402


def one(rep: int, length: int, certain: bool) -> tuple[bool, bool, float]:
    out, post, meta = simulate(rep, length=length)
    if certain:  # plug-in: the posterior mean as known shares (no posterior spread)
        post = TopicPosterior(post.mean * 1e9, post.kind)
    res = estimate_effects(None, ["outlet", "section"], output=out, posterior=post, corpus=meta,
                           contrasts=["outlet:B:A", "section:y:x"], topics=[0],
                           n_draws=1 if certain else 25, n_sims=1000 if certain else 40, seed=rep)  # fmt: skip
    c = res.contrasts.set_index("covariate")
    lo, hi = c.loc["outlet", ["ci_low", "ci_high"]]
    nlo, nhi = c.loc["section", ["ci_low", "ci_high"]]
    return bool(lo <= PLANTED <= hi), bool(nlo <= 0 <= nhi), float(hi - lo)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--length", type=int, nargs="+", default=[60, 10])
    args = ap.parse_args()
    rows = []
    for length in args.length:
        for name, certain in (("composition", False), ("plug-in", True)):
            t0 = time.perf_counter()
            res = [one(r, length, certain) for r in range(args.reps)]
            rows.append({"tokens_per_doc": length, "method": name, "reps": args.reps,
                         "planted_coverage": round(np.mean([r[0] for r in res]), 3),
                         "null_coverage": round(np.mean([r[1] for r in res]), 3),
                         "median_width": round(float(np.median([r[2] for r in res])), 4),
                         "seconds": round(time.perf_counter() - t0, 1)})  # fmt: skip
            print(json.dumps(rows[-1]), flush=True)
    out = ROOT / "benchmarks" / "results" / "effects_coverage.json"
    out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
