"""Memory and time of ``fnt run`` on Le Monde 2022 and on N copies of it, stage by stage.

    # build the N-times corpus (copies get distinct ids: ID, ID~c1, ID~c2, ...), outside the repo
    .venv/bin/python benchmarks/scale_lemonde.py prepare --factor 4 --dir /work/scratch13
    # run experiments/lemonde2022.toml on it from an empty stage cache, sampling memory
    nice -n 10 .venv/bin/python benchmarks/scale_lemonde.py run --factor 4 --dir /work/scratch13 \
        --label after [--cluster local:2] [--code DIR]
    # or: the N-times annotated corpus from the x1 one (fast annotation is per document, so
    # this is what annotating the N-times corpus gives, without ~20 min of tagging)
    .venv/bin/python benchmarks/scale_lemonde.py replicate --factor 4 --dir /work/scratch13 \
        --from STAGES_X1 --cache CACHE_X4    # then: run ... --seed-cache CACHE_X4
    # the Markdown tables of every result so far
    .venv/bin/python benchmarks/scale_lemonde.py table
    # batch LDA in this process vs on local:2, on the bag of words of a run (vocabulary stage)
    nice -n 10 .venv/bin/python benchmarks/scale_lemonde.py lda --bow STAGES/vocabulary-*/bow

``run`` starts a child Python process that runs :func:`toolkit.experiment.run` on a copy of
``experiments/lemonde2022.toml`` whose source is the N-times file; a thread in that process
samples, every 0.25 s, its own resident memory and that of each of its child processes (the
annotation pool, Dask workers), and attributes each sample to the stage running at the time
(from the ``stage X: running`` log lines; the report from its own call). ``--code DIR`` runs
another checkout of the toolkit (e.g. ``git archive main`` unpacked) with the same interpreter,
for the "before" figures. Results go to ``benchmarks/results/scale_lemonde.json`` (one entry
per label and factor; a new run replaces the entry of the same label, factor and cluster).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import LEMONDE, ROOT, require_lemonde  # noqa: E402

RESULTS = Path(__file__).with_name("results") / "scale_lemonde.json"


def corpus_file(directory: Path, factor: float) -> Path:
    return directory / f"lemonde_x{factor:g}.jsonl.gz"


def prepare(factor: float, directory: Path) -> Path:
    """Write ``factor`` copies of Le Monde 2022 (or its first ``factor`` share when < 1)."""
    require_lemonde()
    out = corpus_file(directory, factor)
    if out.is_file():
        return out
    directory.mkdir(parents=True, exist_ok=True)
    with gzip.open(LEMONDE, "rt", encoding="utf-8") as f:
        lines = f.readlines()
    copies = max(1, int(factor)) if factor >= 1 else 1
    keep = len(lines) if factor >= 1 else int(len(lines) * factor)
    tmp = out.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=3) as g:
        for c in range(copies):
            for line in lines[:keep]:
                rec = json.loads(line)
                if c:
                    rec["id"] = f"{rec['id']}~c{c}"
                g.write(json.dumps(rec, ensure_ascii=False) + "\n")
    os.replace(tmp, out)
    return out


def experiment_file(directory: Path, factor: float) -> Path:
    import tomllib

    src = ROOT / "experiments" / "lemonde2022.toml"
    text = src.read_text(encoding="utf-8")
    tomllib.loads(text)
    text = text.replace('"../../shared/data/lemonde2022/lemonde_2022.jsonl.gz"',
                        json.dumps(str(corpus_file(directory, factor))))  # fmt: skip
    if str(corpus_file(directory, factor)) not in text:
        raise SystemExit("could not point experiments/lemonde2022.toml at the scaled corpus")
    cfg = directory / f"lemonde_x{factor:g}.toml"
    cfg.write_text(text, encoding="utf-8")
    return cfg


# ------------------------------------------------------------------------------- child side


def _child(config: str, out: str, cache: str, result: str, cluster: str | None, sets: list[str]) -> None:
    import logging

    import psutil

    me = psutil.Process()
    state = {"stage": "start"}
    peaks: dict[str, dict[str, float]] = {}
    stage_start: dict[str, float] = {}
    t0 = time.perf_counter()
    stop = threading.Event()

    def set_stage(name: str) -> None:
        state["stage"] = name
        stage_start.setdefault(name, round(time.perf_counter() - t0, 1))

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            msg = record.getMessage()
            if msg.startswith("stage ") and ":" in msg:
                set_stage(msg[6:].split(":", 1)[0])
            elif msg.startswith("vocabulary pass ") and "(" in msg:  # sub-steps of the vocabulary
                set_stage("vocabulary." + msg.split("(", 1)[1].split(")", 1)[0])

    def sample() -> None:
        while not stop.is_set():
            try:
                own = me.memory_info().rss
                kids = {}
                for ch in me.children(recursive=True):
                    try:
                        kids[ch.pid] = ch.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                own, kids = 0, {}
            p = peaks.setdefault(state["stage"], {"client": 0.0, "worker_max": 0.0, "workers_sum": 0.0})
            p["client"] = max(p["client"], own / 2**20)
            if kids:
                p["worker_max"] = max(p["worker_max"], max(kids.values()) / 2**20)
                p["workers_sum"] = max(p["workers_sum"], sum(kids.values()) / 2**20)
            stop.wait(0.25)

    h = Handler(logging.INFO)
    lg = logging.getLogger("toolkit")
    lg.setLevel(logging.INFO)
    lg.addHandler(h)
    logging.getLogger("gensim").setLevel(logging.WARNING)
    import toolkit.report as report_mod

    build_report = report_mod.build_report

    def traced(*a, **k):
        set_stage("report")
        return build_report(*a, **k)

    report_mod.build_report = traced
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    from toolkit.experiment import run

    kwargs: dict = {"cluster": cluster} if cluster else {}
    if sets:
        import tomllib

        kwargs["overrides"] = {k: tomllib.loads(f"v = {v}")["v"] for k, v in (x.split("=", 1) for x in sets)}
    res = run(config, out=out, cache_dir=cache, progress=False, **kwargs)
    wall = time.perf_counter() - t0
    stop.set()
    th.join()
    import resource

    m = res.manifest
    payload = {
        "wall_seconds": round(wall, 1),
        "manifest_seconds": m.get("seconds"),
        "manifest_peak_mb": m.get("peak_memory_mb"),
        "ru_maxrss_self_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "documents": m.get("corpus", {}).get("documents"),
        "stages": [{"stage": s["stage"], "seconds": s["seconds"]} for s in m["stages"]],
        "stage_peaks_mb": {k: {kk: round(vv, 1) for kk, vv in v.items()} for k, v in peaks.items()},
        "stage_start_seconds": stage_start,
        "cluster_info": m.get("cluster"),
        "client_peak_memory_mb": m.get("client_peak_memory_mb"),
    }
    Path(result).write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------- parent side


def _load() -> list[dict]:
    return json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else []


def run_one(factor: float, directory: Path, label: str, cluster: str | None, code: str | None,
            keep: bool, seed_cache: str | None = None, sets: list[str] | None = None) -> dict:  # fmt: skip
    import shutil

    config = experiment_file(directory, factor)
    prepare(factor, directory)
    tag = f"{label}-x{factor:g}" + (f"-{cluster.replace(':', '')}" if cluster else "")
    work = directory / "runs" / tag
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    reused = []
    if seed_cache:  # reuse the corpus and annotation stages of an earlier run (hard links)
        (work / "stages").mkdir()
        for p in sorted(Path(seed_cache).iterdir()):
            if p.is_dir() and p.name.split("-")[0] in ("corpus", "annotation"):
                shutil.copytree(p, work / "stages" / p.name, copy_function=os.link)
                reused.append(p.name)
    result = work / "result.json"
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    if code:
        env["PYTHONPATH"] = str(Path(code).resolve())
    cmd = [sys.executable, __file__, "_child", str(config), str(work / "run"), str(work / "stages"),
           str(result), cluster or "", json.dumps(sets or [])]  # fmt: skip
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=str(directory))
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"run failed with exit code {proc.returncode}")
    entry = json.loads(result.read_text(encoding="utf-8"))
    entry.update(label=label, factor=factor, cluster=cluster or "single-process", code=code or "this checkout",
                 reused_stages=reused, sets=sets or [],
                 process_wall_seconds=round(wall, 1), load_before=[round(x, 2) for x in load_before],
                 load_after=[round(x, 2) for x in os.getloadavg()], finished=time.strftime("%Y-%m-%d %H:%M:%S"))  # fmt: skip
    if not keep:
        shutil.rmtree(work / "stages", ignore_errors=True)
    same = (label, factor, entry["cluster"])
    rows = [r for r in _load() if (r["label"], r["factor"], r["cluster"]) != same]
    rows.append(entry)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return entry


STAGES = ("corpus", "annotation", "vocabulary", "selection", "topics", "evaluation", "partitioned", "report")


def _peak(r: dict, stage: str) -> dict | None:
    """A stage's memory peaks; the vocabulary's is the largest of its sub-steps."""
    found = [p for k, p in r["stage_peaks_mb"].items() if k == stage or k.startswith(stage + ".")]
    if not found:
        return None
    return {kk: max(p[kk] for p in found) for kk in ("client", "worker_max", "workers_sum")}


def table() -> str:
    rows = _load()
    out = ["| run | documents | wall s | peak MiB (manifest) | load | " + " | ".join(STAGES) + " |",
           "|---|---|---|---|---|" + "---|" * len(STAGES)]  # fmt: skip
    subs = []
    for r in rows:
        secs = {s["stage"]: s["seconds"] for s in r["stages"]}
        cells = []
        for st in STAGES:
            p = _peak(r, st)
            if p is None:
                cells.append("–")
                continue
            txt = f"{secs.get(st, 0):.0f} s, {p['client']:.0f}"
            if p["worker_max"]:
                txt += f" (w {p['worker_max']:.0f})"
            cells.append(txt)
        load = r.get("load_before", ["?"])[0]
        out.append(f"| {r['label']} ×{r['factor']:g} {r['cluster']} | {r['documents']:,} | {r['wall_seconds']:.0f} | "
                   f"{r['manifest_peak_mb']:.0f} | {load} | " + " | ".join(cells) + " |")  # fmt: skip
        steps = {k.split(".", 1)[1]: v for k, v in r["stage_peaks_mb"].items() if k.startswith("vocabulary.")}
        if steps:
            subs.append(f"| {r['label']} ×{r['factor']:g} {r['cluster']} | "
                        + ", ".join(f"{k} {v['client']:.0f}" + (f" (w {v['worker_max']:.0f})" if v["worker_max"] else "")
                                    for k, v in steps.items()) + " |")  # fmt: skip
    if subs:
        out += ["", "| run | vocabulary sub-steps: client peak MiB (worker) |", "|---|---|", *subs]
    return "\n".join(out)


def replicate(factor: int, directory: Path, source_stages: Path, cache: Path) -> None:
    """Build the corpus stage of the ``factor``-times corpus (for real) and its annotation
    stage by copying the x1 token table ``factor`` times (document ids ``ID~cN`` as
    :func:`prepare` names the copies), into the stage cache ``cache``."""
    import shutil

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    import toolkit.annotation.annotate as annotate_mod
    import toolkit.distributed.vocabulary as vocab_mod
    from toolkit.experiment import run
    from toolkit.runtime import sha256_file, write_json

    src = next(source_stages.glob("annotation-*")) / "corpus"
    config = experiment_file(directory, factor)
    prepare(factor, directory)

    def fake_annotate(corpus_dir, mode="fast", **kwargs):
        corpus_dir = Path(corpus_dir)
        pf = pq.ParquetFile(src / "tokens.parquet")
        want = pq.read_table(corpus_dir / "documents.parquet", columns=["id"]).column(0).to_pylist()
        with pq.ParquetWriter(corpus_dir / "tokens.parquet", pf.schema_arrow) as w:
            for c in range(factor):
                for i in range(pf.metadata.num_row_groups):
                    t = pf.read_row_group(i)
                    if c:
                        ids = pc.binary_join_element_wise(t.column("doc_id"), pa.scalar(f"~c{c}"), "")
                        t = t.set_column(t.schema.get_field_index("doc_id"), "doc_id", ids.cast(pa.string()))
                    w.write_table(t)
        got = pq.read_table(corpus_dir / "tokens.parquet", columns=["doc_id"]).column(0).unique().to_pylist()
        have = set(got)
        if [d for d in want if d in have] != got:
            raise SystemExit("the replicated token table is not in the order of documents.parquet")
        m = json.loads((src / "annotation.json").read_text(encoding="utf-8"))
        m["counts"] = {k: v * factor if isinstance(v, int) else v for k, v in m["counts"].items()}
        m["documents_sha256"] = sha256_file(corpus_dir / "documents.parquet")
        m["replicated_from"] = {"annotation": str(src), "copies": factor}
        write_json(corpus_dir / "annotation.json", m)
        return m

    class Stop(Exception):
        pass

    def stop(*a, **k):
        raise Stop

    annotate_mod.annotate_corpus = fake_annotate
    vocab_mod.build_bow_partitioned = stop
    shutil.rmtree(cache, ignore_errors=True)
    try:
        run(str(config), out=str(cache.parent / (cache.name + "-run")), cache_dir=str(cache), progress=False)
    except Stop:
        pass
    for p in cache.iterdir():
        if p.name.split("-")[0] not in ("corpus", "annotation"):
            shutil.rmtree(p, ignore_errors=True)
    print(sorted(p.name for p in cache.iterdir()))


def extrapolate(single: str, cluster: str, lda_file: Path, sizes=(1_000_000, 10_000_000), hours: float = 2.0) -> str:
    """Time and memory at 1 M and 10 M articles, from the measured runs (see BENCHMARKS.md for
    the assumptions): per-article stage seconds of the single-process ×1 and ×4 runs labelled
    ``single`` (corpus and annotation from the ×1 run that ran them), the speed-up of each
    stage on ``local:2`` (run labelled ``cluster``, ×1) and of batch LDA (``lda_file``), and the
    client's memory as a straight line through the ×1 and ×4 peaks."""
    import math

    rows = _load()

    def pick(label, factor, clus="single-process"):
        for r in rows:
            if r["label"] == label and r["factor"] == factor and r["cluster"] == clus:
                return r
        raise SystemExit(f"no result {label} x{factor:g} {clus}: run it first")

    def secs(r):
        return {s["stage"]: s["seconds"] for s in r["stages"]}

    x1, x4 = pick(single, 1.0), pick(single, 4.0)
    c1 = pick(cluster, 1.0, "local:2")
    full1 = x1 if secs(x1).get("annotation", 0) > 1 else next(
        r for r in reversed(rows)
        if r["factor"] == 1.0 and r["cluster"] == "single-process" and secs(r).get("annotation", 0) > 1)
    n1, n4 = x1["documents"], x4["documents"]
    per = {}  # seconds per article, single process
    for st in ("corpus", "annotation"):
        per[st] = secs(full1)[st] / full1["documents"]
    for st in ("vocabulary", "topics", "evaluation", "report", "partitioned"):
        per[st] = secs(x4).get(st, 0.0) / n4
    lda = json.loads(lda_file.read_text(encoding="utf-8")) if lda_file.is_file() else None
    speed = {st: secs(full1 if st == "annotation" else x1).get(st, 0) / max(secs(c1).get(st, 0), 1e-9)
             for st in ("annotation", "vocabulary") if secs(c1).get(st, 0) > 1}  # fmt: skip
    # annotation not run on the cluster (reused): assume the vocabulary's speed-up
    speed.setdefault("annotation", speed["vocabulary"])
    if lda:
        speed["batch-lda"] = lda["single-process"]["seconds"] / lda["local:2"]["seconds"]
        per["batch-lda"] = lda["single-process"]["seconds"] / lda["documents"]
    peak1, peak4 = x1["manifest_peak_mb"], x4["manifest_peak_mb"]
    slope = (peak4 - peak1) / (n4 - n1)
    base = peak1 - slope * n1
    wmax = max((p["worker_max"] for p in c1["stage_peaks_mb"].values()), default=0.0)
    out = ["| articles | single process: time, client peak | parallel stages (annotation, vocabulary"
           + (", batch-LDA E-step" if lda else "") + ") | workers for them to take "
           f"{hours:g} h | client-only stages (corpus, tomotopy `lda`, evaluation, report) | worker peak |",
           "|---|---|---|---|---|---|"]  # fmt: skip
    for n in sizes:
        par_st = ["annotation", "vocabulary"] + (["batch-lda"] if lda else [])
        single_t = sum(per[st] for st in ("corpus", "annotation", "vocabulary", "topics", "evaluation", "report",
                                          "partitioned")) * n  # fmt: skip
        par = sum(per[st] * n for st in par_st)
        eff = {st: speed[st] / 2 for st in par_st}  # per-worker throughput / single-process
        work = sum(per[st] * n / eff[st] for st in par_st)  # worker-seconds
        workers = max(1, math.ceil(work / (hours * 3600)))
        client = sum(per[st] for st in ("corpus", "topics", "evaluation", "report", "partitioned")) * n
        out.append(f"| {n:,} | {single_t / 3600:.1f} h, {(base + slope * n) / 1024:.1f} GiB | "
                   f"{par / 3600:.1f} h single, {work / 3600:.1f} worker-h | {workers} | {client / 3600:.1f} h "
                   f"| {wmax:.0f} MiB |")  # fmt: skip
    notes = {"per-article seconds": {k: round(v * 1000, 3) for k, v in per.items()},
             "local:2 speed-up": {k: round(v, 2) for k, v in speed.items()},
             "client MiB": f"{base:.0f} + {slope * 1000:.3f} per 1,000 articles"}  # fmt: skip
    return "\n".join(out) + "\n\n" + json.dumps(notes, ensure_ascii=False)


def partition_peak(stages: Path, sizes: list[int], n_parts: int = 3) -> list[dict]:
    """Resident memory of this process while it counts the phrases of the first ``n_parts``
    partitions of ``sizes`` documents (pass 1 of the vocabulary), each size in a fresh process."""
    out = []
    for size in sizes:
        code = (
            "import json, resource, sys\n"
            "from pathlib import Path\n"
            "from toolkit.distributed.vocabulary import token_partitions, phrase_counts\n"
            "from toolkit.experiment.config import load_config\n"
            f"d = Path({str(next(stages.glob('annotation-*')) / 'corpus')!r})\n"
            f"cfg = load_config({str(experiment_file(Path(stages).parents[2], 1))!r}).vocabulary_config()\n"
            "rows = []\n"
            f"for i, item in enumerate(token_partitions(d / 'tokens.parquet', {size})):\n"
            f"    if i == {n_parts}: break\n"
            "    v, n = phrase_counts(item, cfg.to_dict(), True)\n"
            "    rows.append(item.num_rows)\n"
            "print(json.dumps({'rows_per_partition': rows,\n"
            "                  'peak_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))\n"
        )
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        out.append({"partition_documents": size, **json.loads(res.stdout.strip().splitlines()[-1])})
    return out


def lda(bow_dir: Path, cluster: str, passes: int, k: int) -> dict:
    """Batch LDA on a partitioned bag of words: this process, then ``cluster``; time and the
    largest difference between the two models."""
    import numpy as np

    from toolkit.distributed import connect
    from toolkit.distributed.bow import PartitionedBow
    from toolkit.topics.batch_lda import BatchLDA

    bow = PartitionedBow.load(bow_dir)
    out: dict = {"documents": bow.n_documents, "terms": bow.n_terms, "passes": passes, "k": k,
                 "load_before": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip
    models = {}
    for name, spec in (("single-process", None), (cluster, cluster)):
        with connect(spec) as ex:
            t0 = time.perf_counter()
            models[name] = BatchLDA(k, passes=passes, random_state=42, themes="default").fit(bow, executor=ex)
            out[name] = {"seconds": round(time.perf_counter() - t0, 1), "tasks": ex.describe()["tasks"],
                         "workers": len(ex.describe()["workers"])}  # fmt: skip
    a, b = models["single-process"], models[cluster]
    out["max_abs_diff_topic_term"] = float(np.abs(a.components_ - b.components_).max())
    out["max_abs_diff_doc_topic"] = float(np.abs(a.doc_topic_ - b.doc_topic_).max())
    out["top_terms_equal"] = a.output().all_top_terms(10) == b.output().all_top_terms(10)
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    path = RESULTS.with_name("scale_lemonde_batch_lda.json")
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        _, _, config, out, cache, result, cluster, sets = sys.argv
        _child(config, out, cache, result, cluster or None, json.loads(sets))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--factor", type=float, required=True)
    p.add_argument("--dir", type=Path, required=True)
    r = sub.add_parser("run")
    r.add_argument("--factor", type=float, required=True)
    r.add_argument("--dir", type=Path, required=True)
    r.add_argument("--label", required=True)
    r.add_argument("--cluster", default=None)
    r.add_argument("--code", default=None, help="another checkout of the toolkit to run")
    r.add_argument("--keep", action="store_true", help="keep the stage cache")
    r.add_argument("--seed-cache", default=None,
                   help="stage cache of an earlier run whose corpus and annotation stages are reused")
    r.add_argument("--set", action="append", default=[], dest="sets", metavar="SECTION.KEY=VALUE",
                   help="config override, as fnt run --set")  # fmt: skip
    q = sub.add_parser("replicate", help="the N-times annotated corpus from the x1 annotation stage")
    q.add_argument("--factor", type=int, required=True)
    q.add_argument("--dir", type=Path, required=True)
    q.add_argument("--from", dest="source", type=Path, required=True, help="stage cache of an x1 run")
    q.add_argument("--cache", type=Path, required=True, help="stage cache to create")
    e = sub.add_parser("extrapolate", help="the 1 M / 10 M articles table from the measured runs")
    e.add_argument("--single", default="flat", help="label of the single-process x1 and x4 runs")
    e.add_argument("--cluster-label", default="flat", help="label of the local:2 x1 run")
    pp = sub.add_parser("partition-peak", help="peak memory of phrase counting vs documents per partition")
    pp.add_argument("--stages", type=Path, required=True, help="stage cache of an x1 run (annotation)")
    pp.add_argument("--sizes", type=int, nargs="+", default=[2000, 1000, 500, 250])
    sub.add_parser("table")
    b = sub.add_parser("lda", help="batch LDA single-process vs a cluster on a partitioned bag of words")
    b.add_argument("--bow", type=Path, required=True, help="a vocabulary stage's bow/ directory")
    b.add_argument("--cluster", default="local:2")
    b.add_argument("--passes", type=int, default=5)
    b.add_argument("--k", type=int, default=20)
    args = ap.parse_args()
    if args.cmd == "prepare":
        print(prepare(args.factor, args.dir))
    elif args.cmd == "run":
        e = run_one(args.factor, args.dir, args.label, args.cluster, args.code, args.keep, args.seed_cache,
                    args.sets)  # fmt: skip
        print(json.dumps(e, indent=2))
    elif args.cmd == "extrapolate":
        print(extrapolate(args.single, args.cluster_label, RESULTS.with_name("scale_lemonde_batch_lda.json")))
    elif args.cmd == "partition-peak":
        res = partition_peak(args.stages, args.sizes)
        RESULTS.with_name("scale_lemonde_partition_peak.json").write_text(json.dumps(res, indent=2) + "\n")
        print(json.dumps(res, indent=2))
    elif args.cmd == "replicate":
        replicate(args.factor, args.dir, args.source, args.cache)
    elif args.cmd == "lda":
        print(json.dumps(lda(args.bow, args.cluster, args.passes, args.k), indent=2))
    else:
        print(table())


if __name__ == "__main__":
    main()
