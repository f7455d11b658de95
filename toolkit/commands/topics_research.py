"""``fnt topics effects | curate | correlations``: what a paper needs from a trained model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _quiet() -> None:
    import logging

    for name in ("gensim", "smart_open", "matplotlib"):
        logging.getLogger(name).setLevel(logging.WARNING)


def run_effects(args: argparse.Namespace) -> int:
    _quiet()
    from toolkit.topics.effects import estimate_effects, plot_levels, plot_time
    from toolkit.topics.runs import resolve_run

    seed = args.seed
    if seed is None:
        seed = resolve_run(args.run).manifest.get("seed", 0) or 0
    res = estimate_effects(
        args.run, args.covariate, corpus=args.corpus, contrasts=args.contrast, level=args.level,
        n_draws=args.draws, n_sims=args.sims, min_documents=args.min_documents, cov_type=args.cov_type,
        seed=int(seed), include_junk=args.include_junk,
    )  # fmt: skip
    if args.out:
        from toolkit.report.charts import figure_png
        from toolkit.runtime import atomic_directory, write_json

        with atomic_directory(args.out, overwrite=args.force) as tmp:
            res.estimates.to_csv(tmp / "estimates.csv", index=False, float_format="%.6g", lineterminator="\n")
            res.contrasts.to_csv(tmp / "contrasts.csv", index=False, float_format="%.6g", lineterminator="\n")
            write_json(tmp / "effects.json", {"rows": res.rows(), "info": res.info})
            for cov in res.info["covariates"]:
                fig = plot_time(res, cov) if ":" in cov else plot_levels(res, cov)
                (tmp / f"effects_{cov.replace(':', '_')}.png").write_bytes(figure_png(fig))
    if args.json:
        print(json.dumps(res.rows(), ensure_ascii=False, indent=1))
        return 0
    w = sys.stdout.write
    info = res.info
    w(f"{info['documents_used']} of {info['documents_in_model']} documents; posterior: {info['posterior_note']}\n")
    w(f"{info['n_draws']} draws x {info['n_sims']} coefficient samples, OLS ({info['cov_type']}), "
      f"{round(100 * info['level'])}% intervals, seed {info['seed']}\n")  # fmt: skip
    for note in info["notes"]:
        w(f"note: {note}\n")
    for (t, label), g in res.estimates.groupby(["topic", "label"], sort=True):
        w(f"\ntopic {t}  [{label}]\n")
        for r in g.itertuples(index=False):
            w(f"  {r.covariate:<12} {str(r.level)[:28]:<28} {r.estimate:7.3f}  [{r.ci_low:6.3f}, {r.ci_high:6.3f}]  "
              f"n={r.n_documents}\n")  # fmt: skip
        for r in res.contrasts[res.contrasts.topic == t].itertuples(index=False):
            w(f"  {r.covariate:<12} {(str(r.level_a) + ' - ' + str(r.level_b))[:28]:<28} {r.estimate:+7.3f}  "
              f"[{r.ci_low:+6.3f}, {r.ci_high:+6.3f}]\n")  # fmt: skip
    if args.out:
        w(f"\ntables, JSON and plots written to {args.out}\n")
    return 0


def run_curate(args: argparse.Namespace) -> int:
    _quiet()
    from toolkit.report.curate import curate_run

    res = curate_run(args.run)
    rec = res["curation"]
    if rec is None:
        print(f"no curation.toml in {args.run}: outputs restored to the trained model's")
    else:
        merged = [g for g in rec["groups"] if len(g) > 1]
        print(f"curation applied ({rec['sha256'][:19]}…): {rec['trained_topics']} trained topics -> "
              f"{len(rec['groups'])} ({len(merged)} merge(s), {len(rec['junk'])} junk, {len(rec['labels'])} label(s))")  # fmt: skip
    for p in res["written"]:
        print(f"  wrote {p}")
    return 0


def register_subcommands(tsub: argparse._SubParsersAction) -> None:
    """Add ``effects`` and ``curate`` to the ``fnt topics`` sub-commands."""
    ef = tsub.add_parser(
        "effects",
        help="topic prevalence by metadata (time, source, section…) with intervals (stm estimateEffect)",
        description=(
            "Regress topic prevalence on document metadata with the method of composition: draws of the "
            "document-topic shares from the model's posterior, OLS per draw, coefficients pooled. Prints "
            "the expected prevalence of each topic at each level with its interval."
        ),
    )  # fmt: skip
    ef.add_argument("run", metavar="MODEL_OR_RUN_DIR", help="fnt topics train or fnt run output directory")
    ef.add_argument("--covariate", action="append", required=True, metavar="FIELD",
                    help="metadata field (source, section, …), or date:week|month|quarter|year, or date:spline[:DF]; "
                         "repeatable")  # fmt: skip
    ef.add_argument("--contrast", action="append", default=None, metavar="FIELD:A:B",
                    help="difference A - B between two levels of a covariate, e.g. 'source:Agence démo:L’Hebdo démo'")
    ef.add_argument("--level", type=float, default=0.95, help="interval level (default 0.95)")
    ef.add_argument("--draws", type=int, default=25, help="posterior draws (default 25, as stm)")
    ef.add_argument("--sims", type=int, default=40, help="coefficient samples per draw (default 40)")
    ef.add_argument("--min-documents", type=int, default=5, help="drop levels with fewer documents (default 5)")
    ef.add_argument("--cov-type", default="HC3", help="OLS covariance: HC3 (default), HC1, HC0, HC2, nonrobust (stm)")
    ef.add_argument("--seed", type=int, default=None, help="random seed (default: the run's seed)")
    ef.add_argument("--corpus", default=None, help="corpus directory for the metadata (default: the run's)")
    ef.add_argument("--include-junk", action="store_true", help="also estimate topics marked junk in curation.toml")
    ef.add_argument("--json", action="store_true", help="print JSON rows {topic, covariate, level, estimate, ci_low, ci_high}")
    ef.add_argument("--out", type=Path, default=None, metavar="DIR", help="also write CSV, JSON and plots to DIR")
    ef.add_argument("--force", action="store_true", help="replace an existing --out directory")
    ef.set_defaults(func=run_effects)

    cu = tsub.add_parser(
        "curate",
        help="apply RUN_DIR/curation.toml (labels, merges, junk) to the run's tables and report",
        description=(
            "Rewrite topics.json, document_topics.csv, topic_terms.csv, the report and the manifest's "
            "curation entry from the trained model and RUN_DIR/curation.toml, without retraining. Without "
            "the file, restores the trained model's outputs. A bad file is an error and nothing is written."
        ),
    )  # fmt: skip
    cu.add_argument("run", metavar="RUN_DIR")
    cu.set_defaults(func=run_curate)
