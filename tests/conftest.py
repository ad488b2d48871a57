"""Shared fixtures: the built book, and a guard against Xvfb servers left running."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
XVFB_BEFORE_TESTS = pytest.StashKey[set[int]]()
sys.path.insert(0, str(ROOT))  # helpers/, when pytest runs without the Makefile's PYTHONPATH


def running_xvfb() -> set[int]:
    """Process ids of the Xvfb servers running on this machine."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()  # "pid (name) state ..."
        except OSError:  # the process ended while we looked
            continue
        name, state = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2]
        if name == "Xvfb" and state != "Z":  # a zombie has exited already
            pids.add(int(stat.parent.name))
    return pids


def xvfb_left_running(before: set[int]) -> set[int]:
    """The Xvfb servers started since `before` that are still running after a few seconds' grace.

    xvfb-run and pyvirtualdisplay signal Xvfb to stop and do not wait for it to exit.
    """
    deadline = time.monotonic() + 10
    while (left := running_xvfb() - before) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the book with `make book`, as a reader would, and return _build/html."""
    before = running_xvfb()
    result = subprocess.run(["make", "--no-print-directory", "book"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"make book failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    left_running = xvfb_left_running(before)
    assert not left_running, f"the build left Xvfb running: pids {sorted(left_running)}"
    return HTML


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[XVFB_BEFORE_TESTS] = running_xvfb()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    left_running = xvfb_left_running(session.config.stash[XVFB_BEFORE_TESTS])
    if left_running:
        print(f"\nFAILED: the tests left Xvfb running: pids {sorted(left_running)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
