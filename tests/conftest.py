"""Shared fixtures: the built book, and a guard against Xvfb servers, Ray clusters and VNC views left running."""

from __future__ import annotations

import base64
import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import imageio_ffmpeg
import phases
import pytest
from bs4 import BeautifulSoup, Tag

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
XVFB_BEFORE_TESTS = pytest.StashKey[set[int]]()
RAY_BEFORE_TESTS = pytest.StashKey[set[int]]()
RAY_PROCESSES = {"raylet", "gcs_server"}  # a local Ray cluster's own servers, started by ray.init()
VIEWER_BEFORE_TESTS = pytest.StashKey[set[int]]()
VIEWER_PROCESSES = {"x11vnc", "websockify", "chromium"}  # book/watch's VNC view and the browser that looks at it
sys.path.insert(0, str(ROOT))  # helpers/, when pytest runs without the Makefile's PYTHONPATH
from host_runs import (  # noqa: E402
    RUNS_FOLDER_PREFIX,
    HostRuns,
    NotebookRun,
    finish_notebook_runs,
    in_a_runs_folder,
    notebook_runs,
)

from helpers.reproduce import child_environment  # noqa: E402


def run_python(code: str, **env_changes: str | None) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter that can import helpers, with env vars changed (None unsets)."""
    env = child_environment(PYTHONPATH=str(ROOT), **env_changes)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def running_processes(names: set[str], *, with_host_runs: bool = False) -> set[int]:
    """Process ids of the running processes of those names started from this repository.

    A process started by xvfb-run, by the chapters or by the tests has its working directory in
    the repository (Ray's servers take the directory of the Python that ran ray.init()); other
    projects' processes on the same machine are not ours to count. Those of the notebook runs
    that go alongside the tests (tests/host_runs.py: started in a runs folder) count only
    with_host_runs: a test's guard cannot tell when they start or end.
    """
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()  # "pid (name) state ..."
            cwd = (stat.parent / "cwd").resolve()
            # websockify moves into noVNC's folder, so its PWD (inherited, never updated) says where it began
            pwd = re.search(rb"(?:^|\0)PWD=([^\0]*)", (stat.parent / "environ").read_bytes())
        except OSError:  # the process ended while we looked
            continue
        name, state = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2]
        folders = [cwd, *([Path(os.fsdecode(pwd[1]))] if pwd else [])]
        here = any(folder.is_relative_to(ROOT) for folder in folders)
        theirs = not with_host_runs and any(in_a_runs_folder(folder) for folder in folders)
        if name in names and state != "Z" and here and not theirs:  # a zombie has exited already
            pids.add(int(stat.parent.name))
    return pids


def running_xvfb(*, with_host_runs: bool = False) -> set[int]:
    """Process ids of the running Xvfb servers started from this repository."""
    return running_processes({"Xvfb"}, with_host_runs=with_host_runs)


def left_running(names: set[str], before: set[int], *, with_host_runs: bool = False) -> set[int]:
    """The processes of those names started since `before` and still running after a few seconds' grace.

    xvfb-run and pyvirtualdisplay signal Xvfb to stop and do not wait for it to exit; nor does
    ray.shutdown() wait for Ray's servers.
    """
    deadline = time.monotonic() + 10
    while (left := running_processes(names, with_host_runs=with_host_runs) - before) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def xvfb_left_running(before: set[int], *, with_host_runs: bool = False) -> set[int]:
    """The Xvfb servers started since `before` that are still running after a few seconds' grace."""
    return left_running({"Xvfb"}, before, with_host_runs=with_host_runs)


def ray_left_running(before: set[int], *, with_host_runs: bool = False) -> set[int]:
    """Ray's servers (raylet, gcs_server) started since `before` that are still running after a few seconds' grace."""
    return left_running(RAY_PROCESSES, before, with_host_runs=with_host_runs)


@pytest.fixture(scope="session")
def built_book(request: pytest.FixtureRequest) -> Path:
    """Build the book with `make book`, as a reader would, and return _build/html.

    Then the notebook runs in the host environments start (tests/host_runs.py): they go on while
    the other tests run.
    """
    before, ray_before, start = running_xvfb(), running_processes(RAY_PROCESSES), time.monotonic()
    viewer_before = running_processes(VIEWER_PROCESSES)
    result = subprocess.run(["make", "--no-print-directory", "book"], cwd=ROOT, capture_output=True, text=True)
    phases.record(phases.BUILD, time.monotonic() - start)
    assert result.returncode == 0, f"make book failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    xvfb_left = xvfb_left_running(before)
    assert not xvfb_left, f"the build left Xvfb running: pids {sorted(xvfb_left)}"
    ray_left = ray_left_running(ray_before)
    assert not ray_left, f"the build left a Ray cluster running (raylet, gcs_server): pids {sorted(ray_left)}"
    viewer_left = left_running(VIEWER_PROCESSES, viewer_before)
    assert not viewer_left, f"the build left x11vnc, websockify or chromium running: pids {sorted(viewer_left)}"
    notebook_runs(request.session)
    return HTML


@pytest.fixture
def host_runs(request: pytest.FixtureRequest) -> HostRuns[NotebookRun]:
    """The session's notebook runs (tests/host_runs.py): started when the book was built, or now.

    A test that takes this fixture is parametrized by `runtime` and `chapter`: its run is one of them.
    """
    return notebook_runs(request.session)


_REPORTS: list[tuple[str, list[str]]] = []


def report(title: str, lines: list[str]) -> None:
    """Print a section of figures at the end of the test run (not an assertion)."""
    _REPORTS.append((title, lines))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for title, lines in _REPORTS:
        terminalreporter.section(title)
        for line in lines:
            terminalreporter.write_line(line)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(phases.PhaseTimer(), "phases")  # the table of phases at the end


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that wait for the notebook runs, or use their virtualenvs, last: the runs go meanwhile."""
    items.sort(key=lambda item: item.get_closest_marker("host_environment") is not None)


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[XVFB_BEFORE_TESTS] = running_xvfb(with_host_runs=True)
    session.config.stash[RAY_BEFORE_TESTS] = running_processes(RAY_PROCESSES, with_host_runs=True)
    session.config.stash[VIEWER_BEFORE_TESTS] = running_processes(VIEWER_PROCESSES, with_host_runs=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    finish_notebook_runs(session)
    xvfb_left = xvfb_left_running(session.config.stash[XVFB_BEFORE_TESTS], with_host_runs=True)
    if xvfb_left:
        print(f"\nFAILED: the tests left Xvfb running: pids {sorted(xvfb_left)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    ray_left = ray_left_running(session.config.stash[RAY_BEFORE_TESTS], with_host_runs=True)
    if ray_left:
        print(f"\nFAILED: the tests left a Ray cluster running (raylet, gcs_server): pids {sorted(ray_left)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    viewer_left = left_running(VIEWER_PROCESSES, session.config.stash[VIEWER_BEFORE_TESTS], with_host_runs=True)
    if viewer_left:
        print(f"\nFAILED: the tests left x11vnc, websockify or chromium running: pids {sorted(viewer_left)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def copy_repository(destination: Path, *, with_build: bool) -> Path:
    """Copy the repository, sharing its .venv, leaving out git's data, recorded videos and the notebook runs.

    With the build (and its execution cache) a `make book` in the copy starts warm; without, cold.
    """
    left_out = {".venv", ".git"} | (set() if with_build else {"_build"})

    def ignore(folder: str, names: list[str]) -> list[str]:
        def video(n: str) -> bool:
            return n.startswith("video") and Path(folder, n).is_dir()

        def runs(n: str) -> bool:
            return Path(folder) == ROOT / "_build" and n.startswith(RUNS_FOLDER_PREFIX)

        return [n for n in names if n in left_out or n.startswith(".venv-") or video(n) or runs(n)]

    shutil.copytree(ROOT, destination, symlinks=True, ignore=ignore)
    (destination / ".venv").symlink_to(ROOT / ".venv")
    return destination


def page(built_book: Path, chapter: str) -> BeautifulSoup:
    """A chapter's built HTML page, parsed."""
    return BeautifulSoup((built_book / f"{chapter}.html").read_text(), "html.parser")


def chapter_body(built_book: Path, chapter: str) -> BeautifulSoup:
    """A chapter's page without its opening copy-this cell (tests/test_copy_this.py tests that one)."""
    soup = page(built_book, chapter)
    for recipe in soup.select("div.cell.tag_copy-this"):
        recipe.decompose()
    return soup


@dataclass(frozen=True)
class Video:
    """An mp4 as a reader's browser gets it, and what ffmpeg makes of it."""

    size: int  # bytes of mp4
    frames: int
    seconds: float
    stream: str  # ffmpeg's line for the video stream, e.g. "Video: h264 (High) ..., yuv420p, ..."


def decode_video(data: bytes) -> Video:
    """Decode every frame of an mp4 with ffmpeg."""
    with tempfile.NamedTemporaryFile(suffix=".mp4") as file:
        file.write(data)
        file.flush()
        frames, seconds = imageio_ffmpeg.count_frames_and_secs(file.name)
        probe = subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", file.name], capture_output=True, text=True
        )
    stream = next(line.strip() for line in probe.stderr.splitlines() if "Video:" in line)
    return Video(len(data), frames, seconds, stream)


def embedded_videos(soup: BeautifulSoup) -> list[Video]:
    """Every mp4 embedded in a page as a data: URI, decoded."""
    sources = [tag["src"] for tag in soup.select("video source[src], video[src]")]
    return [
        decode_video(base64.b64decode(src.split(",", 1)[1]))
        for src in sources
        if re.match(r"data:video/mp4;base64,", src)
    ]


@dataclass(frozen=True)
class Cell:
    """An executed cell as the page shows it."""

    source: str
    output: str
    error: str  # the traceback's text, empty when the cell did not fail
    tagged_to_raise: bool


def cells(soup: Tag) -> list[Cell]:
    """Every code cell of a page, in order: its source, its output and its error, as text."""

    def text(cell: Tag, selector: str) -> str:
        return "\n".join(part.get_text().strip() for part in cell.select(selector))

    return [
        Cell(
            source=text(cell, "div.cell_input"),
            output=text(cell, "div.cell_output"),
            error=text(cell, "div.output.traceback, div.output.error"),
            tagged_to_raise="tag_raises-exception" in cell["class"],
        )
        for cell in soup.select("div.cell")
    ]


def cell_output(soup: Tag, source_contains: str) -> str:
    """The output, as text, of the one cell of a page whose source contains a string."""
    [cell] = [cell for cell in cells(soup) if source_contains in cell.source]
    return cell.output


@pytest.fixture(scope="session")
def legacy_gym() -> ModuleType:
    """Gym 0.26.2, imported with gym-notices' unmaintained notice kept out of the test output."""
    with contextlib.redirect_stderr(io.StringIO()):
        import gym
    return gym
