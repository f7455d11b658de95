"""Executors: map a task function over partitions, here or on a Dask cluster.

A task is ``fn(item, *args)``; results come back in the order of the items. Each task runs
inside :func:`_envelope`, which times it and notes the process that ran it, so the run's
manifest can say which worker ran what.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from toolkit.errors import ConfigError, ToolkitError

log = logging.getLogger(__name__)


class ClusterError(ToolkitError):
    """A cluster could not be reached, or a task failed on it."""


def _envelope(fn: Callable, item: Any, args: tuple, label: str) -> tuple[Any, dict[str, Any]]:
    t0 = time.perf_counter()
    address = "client"
    try:
        from distributed import get_worker

        address = get_worker().address
    except (ImportError, ValueError):
        pass
    result = fn(item, *args)
    return result, {"task": label, "worker": address, "pid": os.getpid(),
                    "seconds": time.perf_counter() - t0}  # fmt: skip


class Executor:
    """Base class: ``map`` and the record of tasks run."""

    kind = "base"

    def __init__(self) -> None:
        self.tasks: list[dict[str, Any]] = []

    def map(self, fn: Callable, items: Iterable[Any], *args: Any, label: str | None = None) -> Iterator[Any]:
        raise NotImplementedError

    @property
    def distributed(self) -> bool:
        return False

    def n_workers(self) -> int:
        return 1

    def describe(self) -> dict[str, Any]:
        """Scheduler, workers (address, pid, tasks run by kind) for the manifest."""
        workers: dict[str, dict[str, Any]] = {}
        for t in self.tasks:
            w = workers.setdefault(t["worker"], {"address": t["worker"], "pids": [], "tasks": {},
                                                 "task_seconds": 0.0})  # fmt: skip
            if t["pid"] not in w["pids"]:
                w["pids"].append(t["pid"])
            w["tasks"][t["task"]] = w["tasks"].get(t["task"], 0) + 1
            w["task_seconds"] = round(w["task_seconds"] + t["seconds"], 3)
        return {"kind": self.kind, "tasks": len(self.tasks), "workers": list(workers.values())}

    def close(self) -> None:
        pass

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class LocalExecutor(Executor):
    """Run every task in this process, one after the other, lazily (a stream)."""

    kind = "single-process"

    def map(self, fn: Callable, items: Iterable[Any], *args: Any, label: str | None = None) -> Iterator[Any]:
        label = label or getattr(fn, "__name__", "task")
        for item in items:
            result, info = _envelope(fn, item, args, label)
            self.tasks.append(info)
            yield result

    def describe(self) -> dict[str, Any]:
        d = super().describe()
        d["scheduler"] = None
        return d


class DaskExecutor(Executor):
    """Run tasks on a Dask ``distributed`` cluster.

    Parameters
    ----------
    client : distributed.Client
    cluster : object, optional
        A cluster this executor created (``local:N``) and closes with it.
    spec : str
        What the user asked for (for the manifest).
    in_flight : int, optional
        Largest number of tasks submitted and not yet collected (default: 2 per worker thread,
        at least 4), which bounds the memory the results take on the client.
    """

    kind = "dask"

    def __init__(self, client: Any, cluster: Any = None, spec: str = "", in_flight: int | None = None) -> None:
        super().__init__()
        self.client = client
        self.cluster = cluster
        self.spec = spec
        self._in_flight = in_flight
        self._seen_workers: dict[str, dict[str, Any]] = {}

    @property
    def distributed(self) -> bool:
        return True

    def n_workers(self) -> int:
        info = self.client.scheduler_info()
        return max(1, len(info.get("workers", {})))

    def _threads(self) -> int:
        info = self.client.scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def map(self, fn: Callable, items: Iterable[Any], *args: Any, label: str | None = None) -> Iterator[Any]:
        """Submit ``fn(item, *args)`` for each item (a bounded number at a time); yield results
        in item order. A task that fails raises :class:`ClusterError` naming it; a worker lost
        while running a task makes the scheduler run it again on another worker."""
        label = label or getattr(fn, "__name__", "task")
        limit = self._in_flight or max(4, 2 * self._threads())
        pending: deque = deque()
        shared = [self.client.scatter(a, broadcast=True) if _big(a) else a for a in args]
        counter = 0

        def collect(fut, idx):
            try:
                result, info = fut.result()
            except Exception as exc:  # the task raised, or the cluster gave up on it
                raise ClusterError(f"{label} task {idx} failed on the cluster: {type(exc).__name__}: {exc}") from exc
            self.tasks.append(info)
            return result

        try:
            for item in items:
                fut = self.client.submit(_envelope, fn, item, tuple(shared), label, pure=False,
                                         key=f"{label}-{counter}-{os.urandom(4).hex()}")  # fmt: skip
                pending.append((fut, counter))
                counter += 1
                if len(pending) >= limit:
                    yield collect(*pending.popleft())
            while pending:
                yield collect(*pending.popleft())
        except BaseException:
            # a task failed (or the caller stopped early): let the tasks still running finish
            # before the caller cleans up, so none writes a file after that
            self._drain([f for f, _ in pending])
            raise

    def _drain(self, futures: list, timeout: float = 300) -> None:
        from distributed import wait

        if not futures:
            return
        try:
            wait(futures, timeout=timeout)
        except Exception:  # noqa: BLE001 - a timeout or a lost worker: cancel what is left
            pass
        self.client.cancel(futures)

    def describe(self) -> dict[str, Any]:
        d = super().describe()
        try:
            peaks = self.client.run(_peak_memory_mb)
        except Exception:  # a worker gone: report what is known
            peaks = {}
        for w in d["workers"]:
            if w["address"] in peaks:
                w["peak_memory_mb"] = peaks[w["address"]]
        info = self.client.scheduler_info()
        d["scheduler"] = info.get("address")
        d["spec"] = self.spec
        d["cluster_workers"] = [
            {"address": a, "nthreads": w.get("nthreads"), "memory_limit": w.get("memory_limit"),
             "peak_memory_mb": peaks.get(a)}
            for a, w in sorted(info.get("workers", {}).items())
        ]
        return d

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def _big(obj: Any) -> bool:
    """Objects worth scattering once rather than sending with every task."""
    try:
        import numpy as np

        if isinstance(obj, np.ndarray):
            return obj.nbytes > 1_000_000
    except ImportError:  # pragma: no cover
        pass
    if isinstance(obj, dict):
        return len(obj) > 10_000
    return type(obj).__name__ in ("FrozenPhrases", "Dictionary")


def _peak_memory_mb() -> float:
    import resource
    import sys

    scale = 1 if sys.platform == "darwin" else 1024
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20, 1)


def _worker_setup() -> None:
    """Run on each worker as it starts: one BLAS/OpenMP thread per worker process."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def connect(spec: str | None, *, base_dir: str | Path | None = None) -> Executor:
    """An executor for a ``--cluster`` value.

    Parameters
    ----------
    spec : str or None
        ``None``/``""``/``"none"``: this process. ``local:N``: a ``LocalCluster`` of N worker
        processes with one thread each (started here, closed with the executor).
        ``tcp://HOST:PORT`` (or ``tls://``): an existing scheduler. A path to a ``.json``
        scheduler file (``dask-jobqueue``, ``dask scheduler --scheduler-file``): the scheduler
        it names.
    base_dir : path, optional
        Directory a relative scheduler-file path is resolved against.

    Raises
    ------
    ConfigError
        On a value that is none of these, or a missing scheduler file.
    ClusterError
        When the scheduler cannot be reached.
    """
    if spec is None or str(spec).strip().lower() in ("", "none", "off"):
        return LocalExecutor()
    spec = str(spec).strip()
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ConfigError("--cluster needs Dask: pip install 'dask[distributed]'") from exc
    if spec.startswith("local:") or spec == "local":
        n = spec.partition(":")[2] or str(os.cpu_count() or 1)
        if not n.isdigit() or int(n) < 1:
            raise ConfigError(f"cluster {spec!r}: expected local:N with N >= 1 worker processes")
        cluster = LocalCluster(n_workers=int(n), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)  # fmt: skip
        client = Client(cluster)
        client.run(_worker_setup)
        return DaskExecutor(client, cluster, spec)
    if "://" in spec:
        try:
            client = Client(spec, timeout="30s")
        except OSError as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {spec}: {exc}") from None
        return DaskExecutor(client, None, spec)
    path = Path(spec)
    if not path.is_absolute() and base_dir is not None and not path.exists():
        path = Path(base_dir) / path
    if path.suffix == ".json":
        if not path.is_file():
            raise ConfigError(f"cluster scheduler file {path} not found (written by the scheduler when it starts)")
        try:
            client = Client(scheduler_file=str(path), timeout="30s")
        except OSError as exc:
            raise ClusterError(f"cannot reach the Dask scheduler named in {path}: {exc}") from None
        return DaskExecutor(client, None, spec)
    raise ConfigError(
        f"cluster {spec!r}: expected local:N, tcp://HOST:PORT or the path of a scheduler file (.json)"
    )
