"""Runs of the chapters' notebooks in the host environments, several at once, bounded by the cores.

Each host environment is one virtualenv that a notebook's setup cell installs into, so its runs go
one after another; different environments run side by side. A chapter never runs in two
environments at the same moment: whatever a chapter starts on this machine under a fixed name (a
display number it picks from the lock files, a folder in /tmp) cannot meet itself. Each run gets a
Ray temporary folder of its own (RAY_TMPDIR), so its cluster, ports and sockets are its own;
displays are numbered by Xvfb itself (pyvirtualdisplay's -displayfd, xvfb-run -a).

The runs start as soon as the book is built (tests/conftest.py's built_book calls notebook_runs)
and go on while the other tests run; the tests that wait for them come last (conftest's
pytest_collection_modifyitems). They run at a lower CPU priority (nice), so that the other tests
keep their pace and the runs take the cores those leave idle. Whatever a run starts works in its
runs folder, `_build/notebooks-<environment>/<chapter>` (its working directory and PWD), which
is how conftest's guards against servers left running tell the runs' processes from a test's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import phases
import pytest

from tools import colab_snapshot

Result = TypeVar("Result")
Task = tuple[str, str]  # (environment, chapter)
ROOT = Path(__file__).resolve().parent.parent


def workers() -> int:
    """How many runs go at once: GYM_ON_A_SERVER_JOBS, by default the number of cores."""
    return int(os.environ.get("GYM_ON_A_SERVER_JOBS") or os.cpu_count() or 1)


# Each Colab runtime the notebooks run in, and its virtualenv (see the Makefile's colab-env).
COLAB_VENVS = {"latest": ROOT / ".venv-colab", "2026.07": ROOT / ".venv-colab-2026.07"}
# Every environment the notebooks run in: Colab's runtimes, Kaggle's image (the Makefile's kaggle-env)
# and Binder's (binder-env).
VENVS = {**COLAB_VENVS, colab_snapshot.KAGGLE: ROOT / ".venv-kaggle", "binder": ROOT / ".venv-binder"}
# The host each environment stands for, as tests/colab_execute.py takes it.
HOSTS = {**dict.fromkeys(COLAB_VENVS, "colab"), colab_snapshot.KAGGLE: "kaggle", "binder": "binder"}
RUNS_FOLDER_PREFIX = "notebooks-"  # _build/notebooks-<environment>: the runs' folders


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
        self.closed = False
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

    def join(self) -> None:
        """Wait for every run to end, those not started yet included."""
        with self._ready:
            while self._pending or self._busy:
                self._ready.wait()

    def close(self) -> None:
        """Start nothing more, and wait for the runs going now to end."""
        with self._ready:
            self.closed = True
            for task in self._pending:
                self._futures[task].cancel()
            self._pending.clear()
            self._ready.notify_all()
            while self._busy:
                self._ready.wait()

    def result(self, task: Task) -> Result:
        """Wait for one task's run; its result, or the exception it raised."""
        return self._futures[task].result()


_MADE: dict[str, str | None] = {}  # each environment, once made: None, or why it cannot be here
_MAKING = {runtime: threading.Lock() for runtime in VENVS}  # a run's worker and a test may both ask


def make_environment(runtime: str) -> str | None:
    """Make an environment's virtualenv with make, once a session; None, or why not: no Python for it here."""
    with _MAKING[runtime]:
        if runtime not in _MADE:
            _MADE[runtime] = _make(runtime)
        return _MADE[runtime]


def _make(runtime: str) -> str | None:
    made = subprocess.run(
        ["make", "--no-print-directory", f"{VENVS[runtime].name}/installed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if "No Python" in made.stdout + made.stderr:
        return made.stdout.strip().splitlines()[-1]
    assert made.returncode == 0, f"make {VENVS[runtime].name} failed:\n{made.stdout[-4000:]}\n{made.stderr[-4000:]}"
    return None


LOST_FILES = """
import importlib.metadata, pathlib
for dist in importlib.metadata.distributions():
    record = dist.read_text("RECORD") or ""  # read by hand: csv misreads some RECORDs (pygame's)
    paths = [line.rsplit(",", 2)[0].strip('"') for line in record.splitlines() if line]
    if any(not pathlib.Path(dist.locate_file(p)).exists() for p in paths if "__pycache__" not in p):
        print(f"{dist.metadata['Name']}=={dist.version}")
"""


def restore_colab_env(venv: Path) -> None:
    """Put a Colab virtualenv back as `make colab-env` made it: a notebook's setup cell installs into it.

    Nothing is done when site-packages has not changed since the last time it was put back: pip
    changes the folder whenever it installs or uninstalls a distribution (its .dist-info folder).
    """
    [site_packages] = (venv / "lib").glob("python3*/site-packages")
    stamp = venv / "restored.txt"  # site-packages' modification time when it was last put back
    if stamp.exists() and stamp.read_text() == str(site_packages.stat().st_mtime_ns):
        return
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--quiet", "--disable-pip-version-check"]
    pristine = set((venv / "pristine.txt").read_text().splitlines())
    now = set(subprocess.run([*pip, "freeze"], capture_output=True, text=True, check=True).stdout.splitlines())
    if added := sorted(line.split("==")[0] for line in now - pristine):
        subprocess.run([*pip, "uninstall", "--yes", *added], capture_output=True, check=True)
    if changed := sorted(pristine - now):
        subprocess.run([*pip, "install", "--no-deps", *changed], capture_output=True, check=True)
    # Two distributions can install the same module (pygame-ce and pygame both install pygame/):
    # uninstalling the added one deletes files of the one Colab has, so reinstall what lost files.
    lost = subprocess.run([venv / "bin" / "python", "-c", LOST_FILES], capture_output=True, text=True, check=True)
    if damaged := lost.stdout.split():
        subprocess.run([*pip, "install", "--no-deps", "--force-reinstall", *damaged], capture_output=True, check=True)
    stamp.write_text(str(site_packages.stat().st_mtime_ns))


def colab_environment(venv: Path) -> dict[str, str]:
    """This environment as a Colab kernel sees it: no display, no path to helpers/, Colab's Python first."""
    ours = {str(ROOT / ".venv" / "bin"), *(str(v / "bin") for v in VENVS.values())}
    path = [str(venv / "bin"), *(p for p in os.environ["PATH"].split(os.pathsep) if p not in ours)]
    unset = {"DISPLAY", "PYTHONPATH", "VIRTUAL_ENV", "MUJOCO_GL", "PYOPENGL_PLATFORM"}
    environment = {name: value for name, value in os.environ.items() if name not in unset}
    return {**environment, "PATH": os.pathsep.join(path)}


@dataclass
class NotebookRun:
    """One chapter's notebook run in one environment (see notebook_run)."""

    missing: str | None  # why the environment could not be made here, if it could not
    process: subprocess.CompletedProcess[str] | None = None
    workdir: Path | None = None
    seconds: float = 0.0


def notebook_run(runtime: str, chapter: str) -> NotebookRun:
    """Run a chapter's notebook in an environment, as its host would (on a worker thread of HostRuns)."""
    if missing := make_environment(runtime):
        return NotebookRun(missing)
    venv, start = VENVS[runtime], time.monotonic()
    restore_colab_env(venv)
    workdir = ROOT / "_build" / f"{RUNS_FOLDER_PREFIX}{runtime}" / Path(chapter).name  # Colab's /content
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="gym-") as ray_tmp:  # short: Ray's socket paths
        process = subprocess.run(
            ["nice", "-n", "10", venv / "bin" / "python", ROOT / "tests" / "colab_execute.py"]
            + [ROOT / f"{chapter}.ipynb", workdir, HOSTS[runtime]],
            cwd=workdir,
            env={**colab_environment(venv), "RAY_TMPDIR": ray_tmp, "PWD": str(workdir)},
            capture_output=True,
            text=True,
        )
    return NotebookRun(None, process, workdir, time.monotonic() - start)


_RUNS = pytest.StashKey[HostRuns[NotebookRun]]()


def notebook_runs(session: pytest.Session) -> HostRuns[NotebookRun]:
    """The runs that the session's selected tests look at (those that take conftest's host_runs fixture).

    One run for each (runtime, chapter) among those tests' parameters, started on the first call.
    """
    if _RUNS not in session.stash:
        tasks = dict.fromkeys(
            (item.callspec.params["runtime"], item.callspec.params["chapter"])
            for item in session.items
            if "host_runs" in getattr(item, "fixturenames", ())
        )
        session.stash[_RUNS] = HostRuns(tasks, notebook_run, workers())
    return session.stash[_RUNS]


def wait_for_notebook_runs(session: pytest.Session) -> None:
    """Wait for every run of the session to end: for a test that uses their virtualenvs."""
    if _RUNS in session.stash:
        session.stash[_RUNS].join()


def finish_notebook_runs(session: pytest.Session) -> None:
    """At the session's end: start no more runs, wait for those going, and record their phases once."""
    runs = session.stash.get(_RUNS, None)
    if runs is None or runs.closed:
        return
    runs.close()
    for runtime, seconds in runs.seconds.items():
        phases.record(f"{runtime} ({VENVS[runtime].name}): its runs added up", seconds)
    if runs.seconds:
        wall = runs.ended - runs.started
        phases.record(f"all of them, {workers()} at a time (wall time, from their start)", wall)


def in_a_runs_folder(path: Path) -> bool:
    """Whether a path is in a run's folder, _build/notebooks-*.

    Example:
        >>> in_a_runs_folder(ROOT / "_build" / "notebooks-binder" / "video"), in_a_runs_folder(ROOT / "book")
        (True, False)
    """
    parts = path.relative_to(ROOT / "_build").parts if path.is_relative_to(ROOT / "_build") else ()
    return bool(parts) and parts[0].startswith(RUNS_FOLDER_PREFIX)
