"""``fnt run``: run an experiment config end to end into a run directory."""

from __future__ import annotations

import argparse
import json


def _parse_set(items: list[str]) -> dict:
    import tomllib

    from toolkit.errors import ConfigError

    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or "." not in key:
            raise ConfigError(f"--set {item!r}: expected section.key=VALUE (e.g. topics.k=10)")
        try:
            out[key.strip()] = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = value
    return out


def run(args: argparse.Namespace) -> int:
    import logging

    from toolkit.experiment import run as run_experiment

    if args.verbose < 2:  # gensim logs every training step at INFO
        for name in ("gensim", "matplotlib", "distributed"):
            logging.getLogger(name).setLevel(logging.WARNING)

    result = run_experiment(
        args.config, out=args.out, cache_dir=args.cache, force=args.force,
        progress=not args.quiet, overrides=_parse_set(args.set), cluster=args.cluster,
    )  # fmt: skip
    m = result.manifest
    if args.json:
        print(json.dumps(m, ensure_ascii=False, indent=2, default=str))
        return 0
    print(f"run directory: {result.run_dir}")
    for st in m["stages"]:
        state = "cached" if st.get("cached") else "ran"
        print(f"  {st['stage']:<11} {state:<6} {st['seconds']:8.1f} s")
    print(f"  total {m['seconds']:.1f} s, peak memory {m['peak_memory_mb']:.0f} MiB")
    cl = m.get("cluster") or {}
    if cl.get("kind") == "dask":
        print(f"  cluster {cl.get('scheduler')}: {len(cl.get('workers', []))} worker(s) ran {cl.get('tasks')} tasks")
    if result.report is not None:
        print(f"report: {result.report}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run an experiment (ingest → annotate → vocabulary → topics → evaluation → report)",
        description=(
            "Run every stage of an experiment config (TOML) and write a run directory: resolved "
            "config, manifest, topics.json, document_topics.csv, model, tables and report. "
            "Stages are cached by the hash of their inputs and settings."
        ),
    )
    p.add_argument("config", metavar="EXPERIMENT.toml")
    p.add_argument("--out", metavar="DIR", help="run directory (default: [experiment] out)")
    p.add_argument("--cache", metavar="DIR", help="stage cache to share between runs (default DIR/stages)")
    p.add_argument("--force", action="store_true", help="recompute every stage, even when cached")
    p.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE",
                   help="override a setting, e.g. --set topics.k=10 (repeatable)")  # fmt: skip
    p.add_argument("--cluster", metavar="SPEC", default=None,
                   help="run the partitioned stages on Dask: local:N (N worker processes here), "
                        "tcp://HOST:PORT (a running scheduler) or SCHEDULER.json (a scheduler file, e.g. "
                        "from dask-jobqueue); overrides [cluster] address")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the manifest as JSON")
    p.set_defaults(func=run)
