"""Time of ``estimate_effects`` at Le Monde 2022 scale, batch engine beside the statsmodels
per-fit baseline, in the same run (same synthetic data, same seed, same numbers out).

30,518 documents (the Le Monde 2022 corpus size), 40 topics, shares from a Dirichlet, lengths
50-800 tokens, approximate posterior; covariates ``date:month`` (12 months of 2022) and a
20-level ``section``; 25 posterior draws x 40 coefficient samples (the defaults).

Usage::

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/effects_speed.py
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.topics.base import TopicModelOutput  # noqa: E402
from toolkit.topics.effects import estimate_effects  # noqa: E402
from toolkit.topics.posterior import approximate_posterior  # noqa: E402


def main() -> None:
    rng = np.random.default_rng(0)
    n, k = 30518, 40
    theta = rng.dirichlet(np.full(k, 0.3), size=n)
    lengths = rng.integers(50, 800, n).astype(float)
    out = TopicModelOutput(rng.dirichlet(np.ones(50), size=k), theta, [f"w{i}" for i in range(50)], np.ones(50),
                           lengths, [f"d{i}" for i in range(n)])  # fmt: skip
    days = pd.to_datetime("2022-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    meta = pd.DataFrame({"doc_id": out.doc_ids, "date": days.strftime("%Y-%m-%d"),
                         "section": rng.choice([f"s{i}" for i in range(20)], n)})  # fmt: skip
    post = approximate_posterior(out)
    rows, results = [], {}
    for engine in ("statsmodels", "batch"):
        t0 = time.perf_counter()
        res = estimate_effects(None, ["date:month", "section"], output=out, posterior=post, corpus=meta, seed=1,
                               engine=engine)  # fmt: skip
        rows.append({"engine": engine, "seconds": round(time.perf_counter() - t0, 1), "rows": len(res.estimates)})
        results[engine] = res.estimates
        print(json.dumps(rows[-1]), flush=True)
    diff = float((results["batch"][["estimate", "ci_low", "ci_high"]]
                  - results["statsmodels"][["estimate", "ci_low", "ci_high"]]).abs().to_numpy().max())  # fmt: skip
    summary = {"runs": rows, "max_abs_difference": diff, "load_average": os.getloadavg()[0]}
    print(json.dumps(summary))
    (ROOT / "benchmarks" / "results" / "effects_speed.json").write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
