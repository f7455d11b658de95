"""The pipeline on a 2-worker Dask LocalCluster gives what the single-process path gives.

One cluster (2 worker processes, 1 thread each) serves the module. The bundled corpus is cut
into partitions of 20 documents so that both workers get work.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

PARTITION = 20


@pytest.fixture(scope="module")
def cluster():
    from toolkit.distributed import connect

    ex = connect("local:2")
    yield ex
    ex.close()


@pytest.fixture(scope="module")
def reference(bundled_corpus_dir, tmp_path_factory):
    """Single-process annotation and bag of words of the bundled corpus."""
    from toolkit.annotation.annotate import annotate_corpus
    from toolkit.vocabulary import TokenStream, VocabularyConfig, bow_from_token_lists

    d = tmp_path_factory.mktemp("single") / "corpus"
    shutil.copytree(bundled_corpus_dir, d)
    annotate_corpus(d, "fast", n_process=1, progress=False)
    cfg = VocabularyConfig(phrase_min_count=3)
    bow = bow_from_token_lists(TokenStream(d, cfg, cache=False).with_surfaces(), cfg)
    return d, cfg, bow


def _no_client_tagger(monkeypatch):
    """Make loading a tagger in this (client) process an error."""
    from toolkit.annotation import taggers

    def refuse(*a, **k):
        raise AssertionError("the tagger was loaded in the client process")

    monkeypatch.setattr(taggers, "get_tagger", refuse)
    monkeypatch.setattr(taggers, "_fast_tagger", refuse)


@pytest.fixture(scope="module")
def clustered(cluster, bundled_corpus_dir, reference, tmp_path_factory):
    """Annotation and bag of words of the bundled corpus on the cluster (tagger refused here)."""
    from toolkit.distributed.annotation import annotate_corpus_partitioned
    from toolkit.distributed.bow import PartitionedBow
    from toolkit.distributed.vocabulary import build_bow_partitioned

    mp = pytest.MonkeyPatch()
    _no_client_tagger(mp)
    try:
        d = tmp_path_factory.mktemp("cluster") / "corpus"
        shutil.copytree(bundled_corpus_dir, d)
        start = len(cluster.tasks)
        manifest = annotate_corpus_partitioned(d, cluster, "fast", partition_documents=PARTITION)
        out = d.parent / "bow"
        build_bow_partitioned(d, reference[1], out, cluster, partition_documents=PARTITION)
        tasks = cluster.tasks[start:]
    finally:
        mp.undo()
    return d, manifest, PartitionedBow.load(out), tasks


def test_both_workers_ran_tasks_in_other_processes(clustered, cluster):
    _, _, _, tasks = clustered
    workers = {t["worker"] for t in tasks}
    pids = {t["pid"] for t in tasks}
    assert len(workers) == 2, workers
    assert os.getpid() not in pids and len(pids) == 2
    kinds = {t["task"] for t in tasks}
    assert {"annotate", "phrases", "frequencies", "bow"} <= kinds
    desc = cluster.describe()
    assert desc["kind"] == "dask" and desc["scheduler"].startswith("tcp://")
    assert len(desc["cluster_workers"]) == 2


def test_annotation_identical_to_single_process(clustered, reference):
    d, manifest, _, _ = clustered
    a = pq.read_table(reference[0] / "tokens.parquet")
    b = pq.read_table(d / "tokens.parquet")
    assert a.equals(b)
    assert manifest["counts"]["documents"] == 157
    # each partition's rows are whole row groups, as listed in annotation.json
    parts = json.loads((d / "annotation.json").read_text())["partitions"]
    assert len(parts) == 8 and sum(p["rows"] for p in parts) == b.num_rows
    pf = pq.ParquetFile(d / "tokens.parquet")
    first = pf.read_row_groups(range(*parts[1]["row_groups"]), columns=["doc_id"]).column(0).to_pylist()
    assert len(dict.fromkeys(first)) == PARTITION
    assert not (d / ".token-parts").exists()


def test_dictionary_and_bow_identical_to_single_process(clustered, reference):
    _, _, pb, _ = clustered
    ref = reference[2]
    assert pb.dictionary.token2id == ref.dictionary.token2id
    assert pb.dictionary.dfs == ref.dictionary.dfs
    assert pb.doc_ids == ref.doc_ids
    assert pb.stats == ref.stats
    assert (pb.matrix != ref.matrix).nnz == 0
    assert len(pb.parts) == 8


def test_batch_lda_cluster_equals_single_process(clustered, cluster, reference):
    from toolkit.topics.batch_lda import BatchLDA

    _, _, pb, _ = clustered
    single = BatchLDA(6, passes=4, chunk_documents=30, random_state=3).fit(reference[2])
    start = len(cluster.tasks)
    dist = BatchLDA(6, passes=4, chunk_documents=30, random_state=3).fit(pb, executor=cluster)
    np.testing.assert_allclose(dist.components_, single.components_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(dist.doc_topic_, single.doc_topic_, rtol=1e-9, atol=1e-12)
    ran = cluster.tasks[start:]
    assert {t["task"] for t in ran} == {"lda-estep", "lda-infer"}
    assert len({t["worker"] for t in ran if t["task"] == "lda-estep"}) == 2
    # a different seed gives a different model (the seed is used)
    other = BatchLDA(6, passes=4, chunk_documents=30, random_state=4, init="random").fit(reference[2])
    assert not np.allclose(other.components_, single.components_)


def test_batch_lda_finds_planted_topics():
    """Block-diagonal corpus (sklearn's LDA test): each topic's mass sits in one block."""
    import scipy.sparse as sp

    from toolkit.topics.batch_lda import BatchLDA

    rng = np.random.RandomState(0)
    blocks, size = 3, 10
    rows = []
    for b in range(blocks):
        for _ in range(40):
            row = np.zeros(blocks * size, dtype=np.int32)
            row[b * size : (b + 1) * size] = rng.poisson(3, size) + 1
            rows.append(row)
    X = sp.csr_matrix(np.vstack(rows))
    lda = BatchLDA(3, passes=15, init="random", chunk_documents=25, random_state=0).fit(X)
    mass = np.array([[lda.components_[t, b * size : (b + 1) * size].sum() for b in range(blocks)]
                     for t in range(3)])  # fmt: skip
    assert (mass.max(axis=1) > 0.95).all()
    assert sorted(mass.argmax(axis=1)) == [0, 1, 2]


def test_worker_killed_mid_run_finishes_on_the_rest(cluster, bundled_corpus_dir, reference, tmp_path):
    """One worker is killed (SIGKILL) while partitions are annotated: its tasks run again
    elsewhere and the token table is complete and identical."""
    from toolkit.distributed.annotation import annotate_corpus_partitioned

    d = tmp_path / "corpus"
    shutil.copytree(bundled_corpus_dir, d)
    victim = cluster.client.run(os.getpid)  # address -> pid
    pid = sorted(victim.values())[0]
    killed = threading.Event()

    class Killing(list):
        def append(self, info):  # after the first result comes back, kill one worker
            super().append(info)
            if not killed.is_set():
                killed.set()
                os.kill(pid, signal.SIGKILL)

    saved = cluster.tasks
    cluster.tasks = Killing(saved)
    try:
        annotate_corpus_partitioned(d, cluster, "fast", partition_documents=10)
    finally:
        cluster.tasks = saved
    assert killed.is_set()
    assert pq.read_table(d / "tokens.parquet").equals(pq.read_table(reference[0] / "tokens.parquet"))
    assert not (d / ".token-parts").exists()
    assert not [p for p in d.iterdir() if p.name.endswith(".tmp")]


def test_failed_task_is_a_clear_error_and_leaves_nothing_complete(cluster, bundled_corpus_dir, tmp_path,
                                                                   monkeypatch):  # fmt: skip
    """A partition that fails on its worker stops the annotation with an error naming the task;
    the token table, its manifest and the part files are not left behind."""
    import toolkit.distributed.annotation as dist_annotation
    from toolkit.distributed.executor import ClusterError

    real = dist_annotation.annotate_partition

    def flaky(part, *args):  # sent by value to the workers (a closure)
        if part.index == 2:
            raise OSError("disk full (simulated)")
        return real(part, *args)

    monkeypatch.setattr(dist_annotation, "annotate_partition", flaky)
    d = tmp_path / "corpus"
    shutil.copytree(bundled_corpus_dir, d)
    with pytest.raises(ClusterError, match=r"annotate task 2 failed on the cluster: OSError: disk full"):
        dist_annotation.annotate_corpus_partitioned(d, cluster, "fast", partition_documents=PARTITION)
    assert not (d / "tokens.parquet").exists()
    assert not (d / "annotation.json").exists()
    assert not (d / ".token-parts").exists()
    assert sorted(p.name for p in d.iterdir()) == sorted(p.name for p in bundled_corpus_dir.iterdir())


def test_cluster_spec_errors():
    from toolkit.distributed import LocalExecutor, connect
    from toolkit.errors import ConfigError

    assert isinstance(connect(None), LocalExecutor) and isinstance(connect(""), LocalExecutor)
    with pytest.raises(ConfigError, match="local:N"):
        connect("local:zero")
    with pytest.raises(ConfigError, match="scheduler file .* not found"):
        connect("/nonexistent/scheduler.json")
    with pytest.raises(ConfigError, match="expected local:N"):
        connect("somewhere")


def _fnt(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    fnt = Path(sys.executable).with_name("fnt")
    return subprocess.run([str(fnt), "-q", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def test_fnt_run_demo_on_local_cluster_matches_single_process(tmp_path):
    """`fnt run experiments/demo.toml --cluster local:2` = the same run without the cluster."""
    common = ["--set", "selection.k=[]", "--set", f"cluster.partition_documents={PARTITION}"]
    single = _fnt("run", str(ROOT / "experiments" / "demo.toml"), "--out", str(tmp_path / "single"), *common,
                  "--set", "cluster.partitioned_outputs=100", cwd=tmp_path)  # fmt: skip
    assert single.returncode == 0, single.stderr[-2000:]
    dist = _fnt("run", str(ROOT / "experiments" / "demo.toml"), "--out", str(tmp_path / "dist"), *common,
                "--cluster", "local:2", cwd=tmp_path)  # fmt: skip
    assert dist.returncode == 0, dist.stderr[-2000:]
    assert "2 worker(s)" in dist.stdout
    a = json.loads((tmp_path / "single" / "topics.json").read_text())
    b = json.loads((tmp_path / "dist" / "topics.json").read_text())
    assert a == b
    ta = pd.read_csv(tmp_path / "single" / "document_topics.csv")
    tb = pd.read_csv(tmp_path / "dist" / "document_topics.csv")
    assert list(ta["doc_id"]) == list(tb["doc_id"])
    np.testing.assert_allclose(ta.iloc[:, 1:].to_numpy(), tb.iloc[:, 1:].to_numpy(), atol=1e-6)
    m = json.loads((tmp_path / "dist" / "manifest.json").read_text())
    cl = m["cluster"]
    assert cl["kind"] == "dask" and len(cl["cluster_workers"]) == 2
    assert len(cl["workers"]) == 2 and all(w["tasks"] for w in cl["workers"])
    assert cl["stages"]["annotation"].startswith("workers")
    assert cl["stages"]["topics"].startswith("client (not distributable")
    assert json.loads((tmp_path / "single" / "manifest.json").read_text())["cluster"]["kind"] == "single-process"
    # the corpus is "large" (>= 100 documents) for the single run: outputs partitioned by month
    part = tmp_path / "single" / "partitioned"
    months = sorted(p.name for p in (part / "document_topics").iterdir())
    assert months == ["month=2024-09", "month=2024-10", "month=2024-11", "month=2024-12"]
    dt = pd.read_parquet(part / "document_topics")
    assert len(dt) == len(ta) and set(dt["month"].astype(str)) == {m[6:] for m in months}
    merged = ta.merge(dt.drop(columns="month"), on="doc_id", suffixes=("", "_p"))
    np.testing.assert_allclose(merged["topic_0"], merged["topic_0_p"], atol=1e-6)
    tokens = pd.read_parquet(part / "tokens", filters=[("month", "=", "2024-10")])
    run_tokens = pq.read_metadata(_annotated(tmp_path / "single") / "tokens.parquet").num_rows
    assert 0 < len(tokens) < run_tokens
    assert sum(len(pd.read_parquet(p)) for p in (part / "tokens").iterdir()) == run_tokens
    assert not (tmp_path / "dist" / "partitioned").exists()  # 157 < 100,000 by default
    try:
        import duckdb
    except ImportError:
        return
    n = duckdb.sql(f"select count(*) from read_parquet('{part}/tokens/*/*.parquet', hive_partitioning=true) "
                   "where month = '2024-10'").fetchone()[0]  # fmt: skip
    assert n == len(tokens)


def _annotated(run_dir: Path) -> Path:
    m = json.loads((run_dir / "manifest.json").read_text())
    st = next(s for s in m["stages"] if s["stage"] == "annotation")
    return (run_dir / st["path"] / "corpus").resolve()


def test_single_process_token_table_is_cut_into_whole_documents(reference):
    """A token table annotated in one process (no recorded partitions) is cut into tables of
    whole documents, ``partition_documents`` each, in order."""
    from toolkit.distributed.vocabulary import token_partitions

    d = reference[0]
    tables = list(token_partitions(d / "tokens.parquet", 25))
    ids = [t.column("doc_id").to_pylist() for t in tables]
    counts = [len(dict.fromkeys(i)) for i in ids]
    assert counts == [25] * 6 + [7]
    flat = [x for i in ids for x in i]
    assert flat == pq.read_table(d / "tokens.parquet", columns=["doc_id"]).column(0).to_pylist()


def test_phrase_buckets_prune_counts_and_keep_the_same_phrases(reference, tmp_path):
    """The phrase counts summed bucket by bucket keep only unigrams and keys counted
    ``min_count`` times or more, yet freeze into the same phrases as all counts of one pass."""
    from gensim.models.phrases import Phrases

    from toolkit.distributed.vocabulary import (
        CONNECTOR_WORDS,
        merge_phrase_bucket,
        phrase_counts,
        spill_phrase_counts,
        token_partitions,
    )

    d, cfg, _ = reference
    items = list(token_partitions(d / "tokens.parquet", 25))
    ent = "ent_id" in pq.ParquetFile(d / "tokens.parquet").schema_arrow.names
    full: dict[str, int] = {}
    total = 0
    for item in items:
        v, n = phrase_counts(item, cfg.to_dict(), ent)
        total += n
        for w, c in v.items():
            full[w] = full.get(w, 0) + c
    prefixes = [str(tmp_path / f"p{i}") for i in range(len(items))]
    for item, prefix in zip(items, prefixes, strict=True):
        spill_phrase_counts((item, prefix), cfg.to_dict(), ent, buckets=4)
    kept: dict[str, int] = {}
    for b in range(4):
        kept.update(merge_phrase_bucket(b, prefixes, cfg.phrase_min_count))
    assert not list(tmp_path.iterdir())  # the bucket files are removed
    assert len(kept) < 0.7 * len(full)  # rare bigrams were pruned
    assert all(full[w] == c for w, c in kept.items())
    assert {w for w, c in full.items() if c >= cfg.phrase_min_count} <= set(kept)

    def frozen(vocab):
        ph = Phrases(min_count=cfg.phrase_min_count, threshold=cfg.phrase_threshold, scoring="npmi",
                     connector_words=CONNECTOR_WORDS)  # fmt: skip
        ph.vocab, ph.corpus_word_count = vocab, total
        return ph.freeze().phrasegrams

    phrases = frozen(kept)
    assert phrases and phrases == frozen(full)


def test_month_export_buffers_a_bounded_number_of_rows(tmp_path, monkeypatch):
    """Documents of interleaved months: every month file holds its rows in order, and no row
    group is larger than the buffer (pyarrow's dataset writer would keep 100,000 rows a file)."""
    import pyarrow as pa

    from toolkit.distributed import outputs

    months = {f"d{i}": ["2022-01", "2022-02", "none"][i % 3] for i in range(3000)}
    tokens = pa.table({"doc_id": [f"d{i // 2}" for i in range(6000)], "x": list(range(6000))})
    pq.write_table(tokens, tmp_path / "tokens.parquet", row_group_size=500)
    monkeypatch.setattr(outputs, "BUFFER_ROWS", 700)
    n = outputs.write_tokens_by_month(tmp_path / "tokens.parquet", months, tmp_path / "out")
    assert n == 6000
    for m in ("2022-01", "2022-02", "none"):
        pf = pq.ParquetFile(tmp_path / "out" / f"month={m}" / "part-0.parquet")
        assert max(pf.metadata.row_group(i).num_rows for i in range(pf.metadata.num_row_groups)) <= 700 + 500
        xs = pf.read().column("x").to_pylist()
        assert xs == [x for x in range(6000) if months[f"d{x // 2}"] == m]
    df = pd.read_parquet(tmp_path / "out", filters=[("month", "=", "2022-02")])
    assert len(df) == 2000


@pytest.mark.parametrize("init_documents", [50_000, 60])
def test_tomotopy_streams_a_partitioned_bow_and_gives_the_same_model(reference, tmp_path, init_documents):
    """The default model reads a partitioned bag of words part by part (no document-term matrix
    on the client) and learns its NMF prior on an evenly spaced sample above ``init_documents``:
    same topics and document shares as from the in-memory bag of words."""
    from toolkit.distributed.bow import PartitionedBow
    from toolkit.distributed.vocabulary import build_bow_partitioned
    from toolkit.topics.tomotopy_lda import TomotopyLDA

    d, cfg, ref = reference
    build_bow_partitioned(d, cfg, tmp_path / "bow", partition_documents=PARTITION)
    pb = PartitionedBow.load(tmp_path / "bow")
    kw = dict(iterations=60, burn_in=20, init_documents=init_documents, random_state=5)
    a = TomotopyLDA(6, **kw).fit(ref)
    b = TomotopyLDA(6, **kw).fit(pb)
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.doc_topic_, b.doc_topic_)
    assert b.output().all_top_terms(5) == a.output().all_top_terms(5)
    np.testing.assert_array_equal(b.output().doc_lengths, a.output().doc_lengths)
    if init_documents < pb.n_documents:  # the sample changes the prior, so the model
        full = TomotopyLDA(6, **{**kw, "init_documents": 50_000}).fit(ref)
        assert not np.array_equal(full.components_, a.components_)
