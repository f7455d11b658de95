"""A JupyterLab widget (ipywidgets) to answer intrusion tasks, one coder at a time.

>>> from toolkit.topics.intrusion_widget import IntrusionWidget           # doctest: +SKIP
>>> w = IntrusionWidget("runs/demo/validation/word-seed1", coder="alice")  # doctest: +SKIP
>>> w                                                                       # doctest: +SKIP

Each click saves the answer at once to ``RUN_DIR/validation/answers-<task set>.csv`` (the run
directory is read from the task set) and moves to the next task the coder has not answered;
several coders answer the same tasks with their own name. The widget never shows the answer
key. ``answer(choice)`` does what a click does (for tests and demonstrations).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from toolkit.errors import NotInstalledError


def _widgets():
    try:
        import ipywidgets
    except ImportError as exc:  # pragma: no cover - ipywidgets is a dependency
        raise NotInstalledError("the intrusion widget needs ipywidgets: pip install ipywidgets") from exc
    return ipywidgets


class IntrusionWidget:
    """Answer the tasks of a task set as ``coder``.

    Parameters
    ----------
    task_dir : path
        A task set written by ``fnt validate intrusion`` / :func:`toolkit.topics.intrusion.make_tasks`.
    coder : str
        The coder's name (answers are saved under it).
    run_dir : path, optional
        Where answers are saved (default: the run recorded in the task set).
    """

    def __init__(self, task_dir: str | Path, coder: str, run_dir: str | Path | None = None) -> None:
        from toolkit.topics.intrusion import answers_path, load_tasks, read_answers

        self.task_dir = Path(task_dir)
        self.coder = str(coder).strip()
        self.tasks = load_tasks(self.task_dir)
        self.run_dir = Path(run_dir) if run_dir is not None else Path(self.tasks["run"])
        self.path = answers_path(self.run_dir, self.tasks["task_set"])
        done = read_answers(self.path)
        self.answered = set(done.loc[done["coder"] == self.coder, "task_id"])
        w = _widgets()
        self._title = w.HTML()
        self._body = w.HTML()
        self._buttons = w.VBox()
        self._status = w.HTML()
        self.box = w.VBox([self._title, self._body, self._buttons, self._status])
        self.index = self._next(0)
        self._render()

    def _next(self, start: int) -> int | None:
        ids = [t["id"] for t in self.tasks["tasks"]]
        for i in list(range(start, len(ids))) + list(range(0, start)):
            if ids[i] not in self.answered:
                return i
        return None

    @property
    def current(self) -> dict[str, Any] | None:
        return None if self.index is None else self.tasks["tasks"][self.index]

    @property
    def done(self) -> bool:
        return self.index is None

    def _render(self) -> None:
        w = _widgets()
        n = len(self.tasks["tasks"])
        self._status.value = (f"<small>coder <b>{html.escape(self.coder)}</b>: {len(self.answered)}/{n} answered; "
                              f"saved to {html.escape(str(self.path))}</small>")  # fmt: skip
        task = self.current
        if task is None:
            self._title.value = "<b>All tasks answered — thank you.</b>"
            self._body.value = ""
            self._buttons.children = ()
            return
        if task["kind"] == "word":
            self._title.value = f"<b>Task {self.index + 1}/{n}</b>: which word does not belong with the others?"
            self._body.value = ""
            labels = list(task["options"])
        else:
            self._title.value = f"<b>Task {self.index + 1}/{n}</b>: which topic does not belong to this article?"
            self._body.value = (f"<p><b>{html.escape(task['title'])}</b></p>"
                                f"<p style='max-width:50em'>{html.escape(task['excerpt'])}…</p>")  # fmt: skip
            labels = [", ".join(o["terms"][:8]) for o in task["options"]]
        buttons = []
        for i, label in enumerate(labels):
            b = w.Button(description=label[:80], layout=w.Layout(width="auto"), tooltip=label)
            b.on_click(lambda _b, i=i: self.answer(i))
            buttons.append(b)
        self._buttons.children = tuple(buttons)

    def answer(self, choice: int) -> None:
        """Record ``choice`` (option index) for the current task and show the next one."""
        from toolkit.topics.intrusion import record_answer

        task = self.current
        if task is None:
            return
        record_answer(self.run_dir, self.tasks, task["id"], self.coder, int(choice))
        self.answered.add(task["id"])
        self.index = self._next(self.index + 1)
        self._render()

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a notebook front end
        from IPython.display import display

        display(self.box)
