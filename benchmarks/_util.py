"""Helpers for benchmark scripts: locate ../shared/data, run a function in a fresh process and
measure its wall time and peak memory (so side-by-side numbers do not contaminate each other)."""

from __future__ import annotations

import json
import multiprocessing as mp
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
LEMONDE = SHARED_DATA / "lemonde2022" / "lemonde_2022.jsonl.gz"


def _child(fn: Callable[..., Any], args: tuple, conn) -> None:
    start = time.perf_counter()
    result = fn(*args)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send({"result": result, "seconds": round(wall, 2), "peak_mb": round(peak, 1)})
    conn.close()


def measure(fn: Callable[..., Any], *args: Any) -> dict[str, Any]:
    """Run ``fn(*args)`` in a new process; return its result, wall seconds and peak RSS (MiB)."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, args, child))
    proc.start()
    out = parent.recv()
    proc.join()
    return out


def require_lemonde() -> Path:
    if not LEMONDE.is_file():
        raise SystemExit(f"{LEMONDE} not found: this benchmark needs ../shared/data beside the checkout")
    return LEMONDE


def dump(path: str | Path, obj: Any) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
