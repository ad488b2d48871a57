"""Runs of the chapters' notebooks in the host environments, several at once, bounded by the cores.

Each host environment is one virtualenv that a notebook's setup cell installs into, so its runs go
one after another; different environments run side by side. A chapter never runs in two
environments at the same moment: whatever a chapter starts on this machine under a fixed name (a
display number it picks from the lock files, a folder in /tmp) cannot meet itself. Each run gets a
Ray temporary folder of its own (RAY_TMPDIR), so its cluster, ports and sockets are its own;
displays are numbered by Xvfb itself (pyvirtualdisplay's -displayfd, xvfb-run -a).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Generic, TypeVar

Result = TypeVar("Result")
Task = tuple[str, str]  # (environment, chapter)


def workers() -> int:
    """How many runs go at once: GYM_ON_A_SERVER_JOBS, by default the number of cores."""
    return int(os.environ.get("GYM_ON_A_SERVER_JOBS") or os.cpu_count() or 1)


class HostRuns(Generic[Result]):
    """Start `run(environment, chapter)` for every task on worker threads; `result(task)` waits for one.

    Example:
        >>> runs = HostRuns([("a", "x"), ("a", "y"), ("b", "x")], lambda e, c: f"{c} in {e}", workers=2)
        >>> runs.result(("b", "x")), runs.result(("a", "y"))
        ('x in b', 'y in a')
    """

    def __init__(self, tasks: Iterable[Task], run: Callable[[str, str], Result], workers: int) -> None:
        self._pending = list(tasks)
        self._futures: dict[Task, Future[Result]] = {task: Future() for task in self._pending}
        self._busy: set[str] = set()  # environments and chapters with a run going
        self._ready = threading.Condition()
        self._run = run
        self.seconds: dict[str, float] = {}  # each environment's runs, added up
        self.started = time.monotonic()
        self.ended = self.started  # when the last run so far ended
        for _ in range(min(workers, len({environment for environment, _ in self._pending}) or 1)):
            threading.Thread(target=self._work, daemon=True).start()

    def _next(self) -> Task | None:
        with self._ready:
            while self._pending:
                task = next((t for t in self._pending if not self._busy & {*t}), None)
                if task:
                    self._pending.remove(task)
                    self._busy |= {*task}
                    return task
                self._ready.wait()
            return None

    def _work(self) -> None:
        while task := self._next():
            start = time.monotonic()
            try:
                self._futures[task].set_result(self._run(*task))
            except BaseException as error:  # the test of this task reports it
                self._futures[task].set_exception(error)
            with self._ready:
                self.ended = time.monotonic()
                self.seconds[task[0]] = self.seconds.get(task[0], 0.0) + self.ended - start
                self._busy -= {*task}
                self._ready.notify_all()

    def close(self) -> None:
        """Start nothing more, and wait for the runs going now to end."""
        with self._ready:
            for task in self._pending:
                self._futures[task].cancel()
            self._pending.clear()
            self._ready.notify_all()
            while self._busy:
                self._ready.wait()

    def result(self, task: Task) -> Result:
        """Wait for one task's run; its result, or the exception it raised."""
        return self._futures[task].result()
