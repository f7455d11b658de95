"""Word and topic intrusion tests (Chang et al. 2009): tasks, answers, scores.

**Word intrusion.** A task shows a topic's 5 most probable words and one *intruder*: a word
with a low probability in that topic (outside its 50 most probable words, or its most
probable half of the vocabulary when that is smaller) but among the 10
most probable words of another topic, all shuffled. Coders pick the word that does not
belong. **Model precision** of a topic is the share of answers that found the intruder.

**Topic intrusion.** A task shows a document (title and opening) and four topics (their labels
and top words; three when the model has only three): the document's largest topics and one *intruder* drawn from the topics
with a low share in it. Coders pick the topic that does not belong. The **topic log odds** of
an answer is ``log theta[d, intruder] - log theta[d, chosen]`` (0 when right, negative when
wrong, the more negative the more confident the model was about the chosen topic).

:func:`make_tasks` writes a task set (``tasks.json``, what coders see) and its answer key
(``answer_key.csv``, separate, what scoring uses) plus a manifest; the same run, kind, n and
seed give byte-identical ``tasks.json`` and ``answer_key.csv``. Answers are saved by the
notebook widget (:mod:`toolkit.topics.intrusion_widget`) as CSV in the run directory,
``RUN_DIR/validation/answers-<task set id>.csv`` (``RUN_DIR/validation/task_sets.json`` records
where each task set is, so the answer key may live outside the run directory); :func:`score_answers` gives per-topic and
overall scores and, with several coders, Krippendorff's alpha (nominal, ``krippendorff``
package) over the tasks they share.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ConfigError, InputError

log = logging.getLogger(__name__)

N_TOP_WORDS = 5
INTRUDER_FROM_TOP = 10  # the intruder is among the other topic's 10 most probable words
INTRUDER_NOT_IN_TOP = 50  # … and outside this topic's 50 most probable words
N_TOPIC_OPTIONS = 4
MIN_DOC_TOKENS = 20
EXCERPT_CHARS = 600
ANSWER_FIELDS = ["task_set", "task_id", "coder", "choice", "answer", "answered_at"]
KINDS = ("word", "topic")
#: ``RUN_DIR/validation/task_sets.json``: task set id -> task directory (wherever --out put it).
REGISTRY = "task_sets.json"


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    from toolkit.runtime import atomic_path

    with atomic_path(path, suffix=".csv") as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _word_tasks(output, n: int, rng: np.random.Generator, topics: list[int]) -> tuple[list[dict], list[list[Any]]]:
    tasks, key = [], []
    order = list(rng.permutation(topics))
    top_other = {t: output.top_term_ids(t, INTRUDER_FROM_TOP) for t in range(output.n_topics)}
    for i in range(n):
        t = int(order[i % len(order)])
        top = output.top_term_ids(t, N_TOP_WORDS)
        excluded = set(output.top_term_ids(t, max(N_TOP_WORDS, min(INTRUDER_NOT_IN_TOP, output.n_terms // 2))))
        cands = sorted({w for o in range(output.n_topics) if o != t for w in top_other[o]} - excluded)
        if not cands:
            raise ConfigError(f"topic {t}: no intruder candidate (every other topic's top words are among its own)")
        intruder = int(cands[rng.integers(len(cands))])
        words = output.shown([output.vocabulary[w] for w in top] + [output.vocabulary[intruder]])
        perm = rng.permutation(len(words))
        options = [words[j] for j in perm]
        correct = int(np.flatnonzero(perm == len(words) - 1)[0])
        tid = f"w{i:04d}"
        tasks.append({"id": tid, "kind": "word", "options": options})
        key.append([tid, "word", t, correct, options[correct], ""])
    return tasks, key


def _topic_tasks(output, n: int, rng: np.random.Generator, topics: list[int], docs: Any) -> tuple[list[dict], list[list[Any]]]:
    from toolkit.topics.describe import relevant_terms

    theta = output.doc_topic
    allowed = np.array(sorted(topics))
    n_opts = min(N_TOPIC_OPTIONS, len(allowed))
    if n_opts < 3:
        raise ConfigError(f"topic intrusion needs at least 3 topics (not junk); the model has {len(allowed)}")
    # documents long enough for their topic shares to mean something (20 tokens, or the median
    # length on corpora of very short documents)
    min_tokens = min(MIN_DOC_TOKENS, float(np.median(output.doc_lengths)))
    eligible = [i for i in range(len(output.doc_ids)) if output.doc_lengths[i] >= min_tokens and output.doc_ids[i] in docs]
    if not eligible:
        raise ConfigError("no document with a text in the corpus: no topic-intrusion task")
    chosen = rng.choice(eligible, size=min(n, len(eligible)), replace=False)
    terms = {t: output.shown(relevant_terms(output, t, 8)) for t in allowed}
    tasks, key = [], []
    for i, d in enumerate(sorted(int(c) for c in chosen)):
        shares = theta[d, allowed]
        order = allowed[np.argsort(-shares, kind="stable")]
        top = [int(t) for t in order[: n_opts - 1]]
        low = [int(t) for t in order[len(order) // 2 :] if t not in top]
        intruder = int(low[rng.integers(len(low))])
        opts = top + [intruder]
        perm = rng.permutation(len(opts))
        options = [opts[j] for j in perm]
        correct = int(np.flatnonzero(perm == len(opts) - 1)[0])
        title, text = docs[output.doc_ids[d]]
        tid = f"t{i:04d}"
        tasks.append({"id": tid, "kind": "topic", "doc_id": output.doc_ids[d], "title": title,
                      "excerpt": text[:EXCERPT_CHARS], "options": [
                          {"topic": t, "label": output.labels[t], "terms": terms[t]} for t in options]})  # fmt: skip
        share = {str(t): round(float(theta[d, t]), 8) for t in options}
        main = int(allowed[np.argmax(shares)])
        key.append([tid, "topic", main, correct, options[correct], json.dumps(share, sort_keys=True)])
    return tasks, key


def make_tasks(run: str | Path, kind: str, n: int | None = None, seed: int = 0, out: str | Path | None = None,
               include_junk: bool = False, force: bool = False) -> Path:  # fmt: skip
    """Write a reproducible intrusion task set and its answer key.

    Parameters
    ----------
    run : path
        A topics run or experiment run (its ``curation.toml`` applies).
    kind : {"word", "topic"}
    n : int, optional
        Number of tasks (word: default one per topic, spread over topics in turn; topic:
        default 20 documents).
    seed : int
    out : path, optional
        Task directory (default ``RUN_DIR/validation/<kind>-seed<seed>``).
    include_junk : bool
        Also test topics marked junk.

    Returns
    -------
    Path
        The task directory: ``tasks.json``, ``answer_key.csv``, ``manifest.json``.
    """
    from toolkit.runtime import atomic_directory, base_manifest, write_json
    from toolkit.topics.curation import junk_topics, load_curated
    from toolkit.topics.runs import resolve_run

    if kind not in KINDS:
        raise ConfigError(f"--kind must be 'word' or 'topic', not {kind!r}")
    paths = resolve_run(run)
    output = load_curated(paths.run_dir)
    junk = set() if include_junk else set(junk_topics(output))
    topics = [t for t in range(output.n_topics) if t not in junk]
    if len(topics) < 2:
        raise ConfigError("intrusion tasks need at least two topics that are not junk")
    if n is None:
        n = len(topics) if kind == "word" else 20
    if n < 1:
        raise ConfigError(f"--n must be at least 1, not {n}")
    rng = np.random.default_rng(seed)
    if kind == "word":
        tasks, key = _word_tasks(output, n, rng, topics)
    else:
        if paths.corpus_dir is None:
            raise ConfigError("topic intrusion shows documents: the run records no corpus directory")
        import pyarrow.parquet as pq

        table = pq.read_table(paths.corpus_dir / "documents.parquet", columns=["id", "title", "text"]).to_pandas()
        docs = {r.id: (r.title or "", r.text or "") for r in table.itertuples(index=False)}
        tasks, key = _topic_tasks(output, n, rng, topics, docs)
    body = json.dumps(tasks, ensure_ascii=False, indent=1, sort_keys=True)
    set_id = f"{kind}-" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]
    target = Path(out) if out is not None else paths.run_dir / "validation" / f"{kind}-seed{seed}"
    curation = output.info.get("curation")
    with atomic_directory(target, overwrite=force) as tmp:
        write_json(tmp / "tasks.json", {"task_set": set_id, "kind": kind, "run": str(paths.run_dir.resolve()),
                                        "tasks": tasks})  # fmt: skip
        _write_csv(tmp / "answer_key.csv", ["task_id", "kind", "topic", "choice", "answer", "shares"], key)
        write_json(tmp / "manifest.json", base_manifest(
            "intrusion-tasks", task_set=set_id, intrusion=kind, n=len(tasks), seed=seed,
            run=str(paths.run_dir.resolve()), curation=curation["sha256"] if curation else None,
            rules={"top_words": N_TOP_WORDS, "intruder_from_top": INTRUDER_FROM_TOP,
                   "intruder_not_in_top": INTRUDER_NOT_IN_TOP, "topic_options": N_TOPIC_OPTIONS},
        ))  # fmt: skip
    registry = paths.run_dir / "validation" / REGISTRY
    known = json.loads(registry.read_text(encoding="utf-8")) if registry.is_file() else {}
    known[set_id] = str(target.resolve())
    write_json(registry, dict(sorted(known.items())))
    return target


def load_tasks(task_dir: str | Path) -> dict[str, Any]:
    """``tasks.json`` of a task set (what coders see)."""
    p = Path(task_dir) / "tasks.json"
    if not p.is_file():
        raise InputError("not an intrusion task set (no tasks.json); make one with fnt validate intrusion", path=str(p))
    return json.loads(p.read_text(encoding="utf-8"))


def load_key(task_dir: str | Path):
    import pandas as pd

    p = Path(task_dir) / "answer_key.csv"
    if not p.is_file():
        raise InputError("the task set has no answer_key.csv", path=str(p))
    return pd.read_csv(p, dtype={"task_id": str, "answer": str, "shares": str}, keep_default_na=False)


def answers_path(run_dir: str | Path, task_set: str) -> Path:
    """Where answers to a task set are saved: ``RUN_DIR/validation/answers-<task set>.csv``."""
    return Path(run_dir) / "validation" / f"answers-{task_set}.csv"


def read_answers(path: str | Path):
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        return pd.DataFrame(columns=ANSWER_FIELDS)
    df = pd.read_csv(p, dtype={"task_id": str, "coder": str, "answer": str}, keep_default_na=False)
    missing = set(ANSWER_FIELDS) - set(df.columns)
    if missing:
        raise InputError(f"answers file lacks column(s) {', '.join(sorted(missing))}", path=str(p))
    return df


def record_answer(run_dir: str | Path, tasks: dict[str, Any], task_id: str, coder: str, choice: int,
                  answered_at: str | None = None) -> Path:  # fmt: skip
    """Save one coder's answer (a later answer to the same task by the same coder replaces it)."""
    import pandas as pd

    from toolkit.runtime import now_iso

    coder = str(coder).strip()
    if not coder:
        raise ConfigError("give the coder a name (coder='...')")
    task = next((t for t in tasks["tasks"] if t["id"] == task_id), None)
    if task is None:
        raise ConfigError(f"no task {task_id!r} in task set {tasks['task_set']}")
    if not 0 <= int(choice) < len(task["options"]):
        raise ConfigError(f"task {task_id}: choice must be 0..{len(task['options']) - 1}, not {choice}")
    opt = task["options"][int(choice)]
    value = opt if isinstance(opt, str) else str(opt["topic"])
    path = answers_path(run_dir, tasks["task_set"])
    df = read_answers(path)
    df = df[~((df["task_id"] == task_id) & (df["coder"] == coder))]
    row = {"task_set": tasks["task_set"], "task_id": task_id, "coder": coder, "choice": int(choice), "answer": value,
           "answered_at": answered_at or now_iso()}  # fmt: skip
    df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
    _write_csv(path, ANSWER_FIELDS, df[ANSWER_FIELDS].astype(object).values.tolist())
    return path


def krippendorff_alpha(answers, task_ids: list[str] | None = None) -> float | None:
    """Krippendorff's alpha (nominal) between coders over their choices (None with < 2 coders
    or no task answered by two coders)."""
    import krippendorff

    coders = sorted(set(answers["coder"]))
    if len(coders) < 2:
        return None
    tasks = task_ids or sorted(set(answers["task_id"]))
    pos = {t: i for i, t in enumerate(tasks)}
    data = np.full((len(coders), len(tasks)), np.nan)
    for r in answers.itertuples(index=False):
        if r.task_id in pos:
            data[coders.index(r.coder), pos[r.task_id]] = float(r.choice)
    shared = (~np.isnan(data)).sum(axis=0) >= 2
    if not shared.any():
        return None
    data = data[:, shared]
    if len(np.unique(data[~np.isnan(data)])) < 2:
        return 1.0  # every coder gave the same value everywhere: perfect agreement
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def score_answers(task_dir: str | Path, answers: Any) -> dict[str, Any]:
    """Scores of a task set from answers (a DataFrame or the answers CSV path).

    Returns
    -------
    dict
        ``kind``, ``task_set``, ``coders``, ``answers``, ``overall`` (model precision for word
        tasks; precision and mean topic log odds for topic tasks), ``per_topic`` (DataFrame:
        ``topic, n_answers, model_precision`` [+ ``topic_log_odds``]), ``per_coder``,
        ``alpha`` (Krippendorff, nominal; None with one coder).
    """
    import pandas as pd

    tasks = load_tasks(task_dir)
    key = load_key(task_dir).set_index("task_id")
    if not isinstance(answers, pd.DataFrame):
        answers = read_answers(answers)
    answers = answers[answers["task_id"].isin(key.index)].copy()
    if "task_set" in answers and len(answers) and (answers["task_set"] != tasks["task_set"]).any():
        raise InputError(f"answers belong to another task set than {tasks['task_set']}")
    answers["choice"] = answers["choice"].astype(int)
    answers["correct"] = [int(c) == int(key.loc[t, "choice"]) for t, c in zip(answers["task_id"], answers["choice"], strict=True)]
    answers["topic"] = [int(key.loc[t, "topic"]) for t in answers["task_id"]]
    kind = tasks["kind"]
    if kind == "topic":
        tlo = []
        for t, a in zip(answers["task_id"], answers["answer"], strict=True):
            shares = json.loads(key.loc[t, "shares"])
            intr = str(key.loc[t, "answer"])
            tlo.append(float(np.log(max(shares[intr], 1e-12)) - np.log(max(shares[str(a)], 1e-12))))
        answers["topic_log_odds"] = tlo
    agg = {"n_answers": ("correct", "size"), "model_precision": ("correct", "mean")}
    if kind == "topic":
        agg["topic_log_odds"] = ("topic_log_odds", "mean")
    per_topic = answers.groupby("topic").agg(**agg).reset_index() if len(answers) else pd.DataFrame(
        columns=["topic", *agg])  # fmt: skip
    per_coder = answers.groupby("coder").agg(**agg).reset_index() if len(answers) else pd.DataFrame(
        columns=["coder", *agg])  # fmt: skip
    overall: dict[str, Any] = {"model_precision": float(per_topic["model_precision"].mean()) if len(per_topic) else None}
    if kind == "topic":
        overall["topic_log_odds"] = float(answers["topic_log_odds"].mean()) if len(answers) else None
    return {"kind": kind, "task_set": tasks["task_set"], "coders": sorted(set(answers["coder"])),
            "answers": int(len(answers)), "tasks": len(tasks["tasks"]), "overall": overall,
            "per_topic": per_topic, "per_coder": per_coder,
            "alpha": krippendorff_alpha(answers, list(key.index))}  # fmt: skip


def score_run(run_dir: str | Path, output: Any = None) -> list[dict[str, Any]] | None:
    """Scores of every task set under ``RUN_DIR/validation/`` that has answers (None if none)."""
    vdir = Path(run_dir) / "validation"
    if not vdir.is_dir():
        return None
    out = []
    dirs = {p.parent.resolve() for p in vdir.glob("*/tasks.json")}
    if (vdir / REGISTRY).is_file():
        dirs |= {Path(d) for d in json.loads((vdir / REGISTRY).read_text(encoding="utf-8")).values()
                 if (Path(d) / "tasks.json").is_file()}  # fmt: skip
    for task_dir in sorted(dirs):
        try:
            tasks = load_tasks(task_dir)
        except (InputError, json.JSONDecodeError):
            continue
        path = answers_path(run_dir, tasks["task_set"])
        if path.is_file():
            scores = score_answers(task_dir, path)
            if scores["answers"]:
                scores["task_dir"] = task_dir.name
                out.append(scores)
    return out or None


def simulate_answers(task_dir: str | Path, run_dir: str | Path, coder: str, accuracy: float = 1.0,
                     seed: int = 0) -> Path:  # fmt: skip
    """DEMO ONLY: answer every task as a coder who is right with probability ``accuracy``
    (from the answer key), to show scoring without a human. Never use it for real results."""
    rng = np.random.default_rng(seed)
    tasks = load_tasks(task_dir)
    key = load_key(task_dir).set_index("task_id")
    path = answers_path(run_dir, tasks["task_set"])
    for t in tasks["tasks"]:
        right = int(key.loc[t["id"], "choice"])
        wrong = [i for i in range(len(t["options"])) if i != right]
        choice = right if rng.random() < accuracy else int(rng.choice(wrong))
        path = record_answer(run_dir, tasks, t["id"], coder, choice, answered_at="simulated")
    return path


#: Alias exported as ``toolkit.topics.make_intrusion_tasks``.
make_intrusion_tasks = make_tasks
