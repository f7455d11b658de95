"""``fnt topics``: train topic models, choose k, show topics."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _quiet_libraries(args: argparse.Namespace) -> None:
    import logging

    if getattr(args, "verbose", 0) < 2:
        for name in ("gensim", "smart_open", "numexpr"):
            logging.getLogger(name).setLevel(logging.WARNING)


def _config(args: argparse.Namespace):
    _quiet_libraries(args)
    from toolkit.errors import ConfigError
    from toolkit.topics.pipeline import TopicsConfig

    cfg = TopicsConfig.from_file(args.config) if args.config else TopicsConfig()
    if getattr(args, "model", None):
        cfg.model = args.model
    if getattr(args, "seed", None) is not None:
        cfg.seed = args.seed
    if getattr(args, "themes", None):
        cfg.themes = None if args.themes == "none" else args.themes
    for item in getattr(args, "param", None) or []:
        if "=" not in item:
            raise ConfigError(f"--param needs NAME=VALUE, not {item!r}")
        key, value = item.split("=", 1)
        try:
            cfg.params[key] = json.loads(value)
        except json.JSONDecodeError:
            cfg.params[key] = value
    return cfg


def run_train(args: argparse.Namespace) -> int:
    from toolkit.topics.pipeline import train_topics

    cfg = _config(args)
    if args.k is not None:
        cfg.k = args.k
    if args.lambda_ is not None:
        cfg.relevance_lambda = args.lambda_
    cfg.validate()
    _, output, manifest = train_topics(args.corpus, cfg, args.out, force=args.force, progress=not args.no_progress)
    stats = manifest["vocabulary"]
    print(
        f"trained {output.info['model']} k={output.n_topics} seed={cfg.seed} on {stats['documents']} documents "
        f"({stats['terms']} terms; {stats['dropped_empty']} empty documents dropped) in "
        f"{manifest['timings']['train_s']} s -> {args.out}"
    )
    for t in range(output.n_topics):
        print(f"  {t:>3}  {output.labels[t]}")
    return 0


def run_select(args: argparse.Namespace) -> int:
    from toolkit.corpus.documents import Corpus
    from toolkit.runtime import atomic_directory, base_manifest, write_json
    from toolkit.topics.pipeline import ensure_tokens
    from toolkit.topics.select import plot_selection, recommend, select_k
    from toolkit.vocabulary.bow import build_bow

    cfg = _config(args)
    ensure_tokens(args.corpus, progress=not args.no_progress)
    bow = build_bow(args.corpus, cfg.vocabulary, progress=not args.no_progress)
    labels = None
    if args.labels:
        meta = Corpus(args.corpus).metadata_frame()
        if args.labels not in meta.columns:
            from toolkit.errors import ConfigError

            raise ConfigError(f"--labels {args.labels}: no such metadata column (use section or source)")
        labels = dict(zip(meta["id"], meta[args.labels], strict=True))
    table = select_k(
        bow, args.k, seed=cfg.seed, model=cfg.model, params=cfg.params, labels=labels,
        stability_seeds=args.stability_seeds, cv=args.cv, progress=not args.no_progress,
    )  # fmt: skip
    k, reason = recommend(table)
    with atomic_directory(args.out, overwrite=args.force) as tmp:
        table.to_csv(tmp / "selection.csv", index=False, float_format="%.6g")
        plot_selection(table, tmp / "selection.png", k)
        write_json(tmp / "recommendation.json", {"k": k, "reason": reason})
        write_json(tmp / "manifest.json", base_manifest("topics-select", config=cfg.to_dict(), ks=args.k,
                                                          vocabulary=bow.stats))  # fmt: skip
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(f"recommended: {reason}")
    print(f"table, plot and recommendation written to {args.out}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from toolkit.topics.curation import load_curated
    from toolkit.topics.describe import describe_topics, representative_documents
    from toolkit.topics.runs import resolve_run

    paths = resolve_run(args.run, args.corpus)
    out = load_curated(args.run)  # with RUN_DIR/curation.toml applied, when there is one
    if args.topic is not None and not 0 <= args.topic < out.n_topics:
        from toolkit.errors import ModelError

        raise ModelError(f"no topic {args.topic}: this model has topics 0..{out.n_topics - 1}")
    desc = describe_topics(out, n=args.terms, lambda_=args.lambda_)
    topics = [args.topic] if args.topic is not None else range(out.n_topics)
    docs = representative_documents(out, paths.corpus_dir, n=args.docs) if args.docs else None
    w = sys.stdout.write
    for t in topics:
        row = desc.iloc[t]
        w(f"topic {t}  [{row['label']}]  prevalence {row['prevalence']:.3f}\n")
        w(f"  terms (λ={args.lambda_}): {row['terms']}\n")
        if docs is not None:
            for _, d in docs[docs.topic == t].iterrows():
                extra = ""
                if "title" in d:
                    extra = f"  {str(d['date'] or '')[:10]}  {d['source'] or ''}  {d['title'] or ''}"
                w(f"    {d['share']:.2f}  {d['doc_id']}{extra}\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "topics",
        help="topic models: train, choose k, show",
        description="Train topic models on a corpus directory, choose the number of topics, show topics.",
    )
    tsub = p.add_subparsers(dest="topics_command", metavar="SUBCOMMAND")

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("corpus", metavar="CORPUS_DIR", help="corpus directory (annotated first if needed)")
        q.add_argument("--seed", type=int, default=None, help="random seed (default 0)")
        q.add_argument("--model", default=None,
                       help="lda (default: Gibbs LDA with an NMF-informed prior, short-text model for short "
                            "documents; repeatable), gensim-lda, lda-multicore (faster, NOT repeatable), "
                            "sklearn-lda, nmf")  # fmt: skip
        q.add_argument("--themes", default=None, help="seeded themes: default, a TOML file, or none (lda, gensim-lda)")
        q.add_argument("--config", type=Path, default=None, help="TOML config with [topics] and [vocabulary] tables")
        q.add_argument("--param", action="append", metavar="NAME=VALUE", help="backend parameter, e.g. passes=20")
        q.add_argument("--out", required=True, type=Path, metavar="DIR")
        q.add_argument("--force", action="store_true", help="replace an existing output directory")
        q.add_argument("--no-progress", action="store_true", help="no progress bars")

    tr = tsub.add_parser("train", help="train one model and write topics.json, document_topics.csv, the model and a manifest")
    common(tr)
    tr.add_argument("--k", type=int, default=None, help="number of topics (default 20)")
    tr.add_argument("--lambda", dest="lambda_", type=float, default=None, metavar="λ",
                    help="relevance λ ranking the terms of topics.json (default 1 = by probability; 0.6 = pyLDAvis relevance)")
    tr.set_defaults(func=run_train)

    se = tsub.add_parser("select", help="train a range of k, report every measure (CSV + PNG) and recommend k")
    common(se)
    se.add_argument("--k", type=int, nargs="+", default=[5, 10, 15, 20], help="values of k to try")
    se.add_argument("--stability-seeds", type=int, default=0, help="seeds per k for stability (e.g. 5; slow)")
    se.add_argument("--labels", default=None, help="metadata column for NMI/ARI (e.g. section)")
    se.add_argument("--cv", action="store_true", help="also compute C_V coherence (slower)")
    se.set_defaults(func=run_select)

    sh = tsub.add_parser("show", help="print topics: labels, terms by relevance, representative documents")
    sh.add_argument("run", metavar="RUN_DIR", help="directory written by fnt topics train or fnt run")
    sh.add_argument("--topic", type=int, default=None)
    sh.add_argument("--terms", type=int, default=10)
    sh.add_argument("--lambda", dest="lambda_", type=float, default=1.0,
                    help="relevance λ (default 1 = by probability; 0.6 = pyLDAvis relevance)")
    sh.add_argument("--docs", type=int, default=3, help="representative documents per topic (0: none)")
    sh.add_argument("--corpus", default=None, help="corpus directory for titles (default: the one trained on)")
    sh.set_defaults(func=run_show)

    from toolkit.commands.topics_research import register_subcommands

    register_subcommands(tsub)

    def _help(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=_help)
