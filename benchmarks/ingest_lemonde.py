"""Ingest the whole Le Monde 2022 corpus: time and peak memory, beside an in-memory baseline.

    .venv/bin/python benchmarks/ingest_lemonde.py

Toolkit: ``toolkit.corpus.ingest.ingest`` streams the JSONL into Parquet row groups (validation,
dates, ids, content hash, manifest). Baseline: ``pandas.read_json(lines=True)`` then
``to_parquet``, which holds the whole corpus in memory. Each runs in its own process.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import dump, measure, require_lemonde  # noqa: E402


def toolkit_ingest(src: str, out: str) -> int:
    from toolkit.corpus.ingest import ingest

    return ingest([src], out, progress=False)["documents"]


def toolkit_ingest_cli_defaults(src: str, out: str) -> int:
    """What ``fnt ingest SRC --out DIR`` does: the same plus default cleaning steps."""
    from toolkit.corpus.clean import Cleaner
    from toolkit.corpus.ingest import ingest

    clean = Cleaner(["fix_encoding", "strip_html", "normalize"])
    return ingest([src], out, progress=False, clean=clean)["documents"]


def pandas_baseline(src: str, out: str) -> int:
    import pandas as pd

    df = pd.read_json(src, lines=True, compression="gzip", dtype=False)
    df.to_parquet(out)
    return len(df)


def main() -> None:
    src = str(require_lemonde())
    with tempfile.TemporaryDirectory() as tmp:
        rows = {
            "toolkit ingest (streaming)": measure(toolkit_ingest, src, f"{tmp}/corpus"),
            "fnt ingest CLI defaults (+ cleaning steps)": measure(toolkit_ingest_cli_defaults, src, f"{tmp}/corpus2"),
            "pandas read_json + to_parquet (in memory)": measure(pandas_baseline, src, f"{tmp}/b.parquet"),
        }
    print(f"{'system':45} {'docs':>7} {'seconds':>8} {'peak MiB':>9}")
    for name, r in rows.items():
        print(f"{name:45} {r['result']:>7} {r['seconds']:>8} {r['peak_mb']:>9}")
    dump(Path(__file__).with_name("results") / "ingest_lemonde.json", rows)


if __name__ == "__main__":
    main()
