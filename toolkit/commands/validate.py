"""``fnt validate``: human validation of topics (word and topic intrusion)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def run_intrusion(args: argparse.Namespace) -> int:
    from toolkit.topics.intrusion import load_tasks, make_tasks

    out = make_tasks(args.run, args.kind, n=args.n, seed=args.seed, out=args.out, include_junk=args.include_junk,
                     force=args.force)  # fmt: skip
    tasks = load_tasks(out)
    print(f"{len(tasks['tasks'])} {args.kind}-intrusion tasks (task set {tasks['task_set']}, seed {args.seed}) -> {out}")
    print("  tasks.json (what coders see), answer_key.csv (keep it from coders), manifest.json")
    print(f"  answer in JupyterLab: IntrusionWidget({str(out)!r}, coder='NAME') (notebooks/06_validation.ipynb)")
    return 0


def run_scores(args: argparse.Namespace) -> int:
    from toolkit.topics.intrusion import score_run

    scores = score_run(args.run) or []
    if args.json:
        rows = [{**{k: v for k, v in s.items() if k not in ("per_topic", "per_coder")},
                 "per_topic": s["per_topic"].to_dict("records"), "per_coder": s["per_coder"].to_dict("records")}
                for s in scores]  # fmt: skip
        print(json.dumps(rows, ensure_ascii=False, indent=1, default=float))
        return 0
    if not scores:
        print(f"no answers yet under {Path(args.run) / 'validation'}")
        return 0
    for s in scores:
        alpha = "n/a (one coder)" if s["alpha"] is None else f"{s['alpha']:.3f}"
        print(f"{s['kind']} intrusion, task set {s['task_set']} ({s['task_dir']}): {s['answers']} answers by "
              f"{', '.join(s['coders'])}; Krippendorff's alpha {alpha}")  # fmt: skip
        print("  overall: " + ", ".join(f"{k} {v:.3f}" for k, v in s["overall"].items() if v is not None))
        print(s["per_topic"].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="human validation of topics: word and topic intrusion tasks, scores",
        description="Word and topic intrusion (Chang et al. 2009): reproducible tasks, answers from a notebook widget, scores.",
    )
    vsub = p.add_subparsers(dest="validate_command", metavar="SUBCOMMAND")
    it = vsub.add_parser("intrusion", help="write a reproducible intrusion task set and its separate answer key")
    it.add_argument("run", metavar="RUN_DIR", help="fnt topics train or fnt run output directory")
    it.add_argument("--kind", choices=("word", "topic"), required=True)
    it.add_argument("--n", type=int, default=None, help="number of tasks (word: one per topic; topic: 20)")
    it.add_argument("--seed", type=int, default=0)
    it.add_argument("--out", type=Path, default=None, metavar="DIR",
                    help="task directory (default RUN_DIR/validation/KIND-seedS)")  # fmt: skip
    it.add_argument("--include-junk", action="store_true", help="also test topics marked junk in curation.toml")
    it.add_argument("--force", action="store_true", help="replace an existing task directory")
    it.set_defaults(func=run_intrusion)
    sc = vsub.add_parser("scores", help="model precision, topic log odds and Krippendorff's alpha from saved answers")
    sc.add_argument("run", metavar="RUN_DIR")
    sc.add_argument("--json", action="store_true")
    sc.set_defaults(func=run_scores)

    def _help(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=_help)
