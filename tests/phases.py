"""Where `make test`'s time goes: a table of its phases and their seconds, printed at the end.

The phases: setup (make's prerequisites before pytest: Debian packages, virtualenv, downloads, and
ruff), the build (`make book`, in the built_book fixture), the host environments' tests, the
browser tests, and the rest. Each test's wall time counts in one phase, less any build it waited
for. The notebook runs in the host environments start when the build ends and go on alongside the
browser tests and the rest (tests/host_runs.py), so the host environments' phase is the time their
tests still waited at the end; the rows below it give each environment's runs added up, and the
runs' wall time from their start. With
GYM_ON_A_SERVER_PHASES set to a file name, the rows are also written there as JSON (bench/run.py).
Figures, not assertions.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import pytest

_RECORDED: dict[str, float] = {}  # measured by the code that runs them: the build, and rows about the host runs
BUILD = "build (make book)"
HOSTS = "notebooks in the host environments"
BROWSER = "browser tests (Chromium)"
REST = "the other tests"


def record(phase: str, seconds: float) -> None:
    """Add seconds to the build (BUILD) or to a row shown under the host environments' phase."""
    _RECORDED[phase] = _RECORDED.get(phase, 0.0) + seconds


def table(rows: list[tuple[str, float]]) -> list[str]:
    """The phases as a Markdown table.

    Example:
        >>> table([("build (make book)", 61.04)])
        ['| Phase | Seconds |', '| --- | ---: |', '| build (make book) | 61 |']
    """
    return ["| Phase | Seconds |", "| --- | ---: |", *(f"| {name} | {seconds:.0f} |" for name, seconds in rows)]


def category(item: pytest.Item) -> str:
    """The phase a test's time counts in."""
    if item.get_closest_marker("host_environment"):  # tests/test_colab.py's runs, and the virtualenvs' making
        return HOSTS
    if "browser" in getattr(item, "fixturenames", ()):
        return BROWSER
    return REST


class PhaseTimer:
    """The pytest plugin that times each test into its phase and prints the table."""

    def pytest_configure(self, config: pytest.Config) -> None:
        """Register the marker of the host environments' tests."""
        config.addinivalue_line("markers", "host_environment: a test that runs in a host environment's virtualenv")

    def __init__(self) -> None:
        self.started = time.time()
        self.seconds = {HOSTS: 0.0, BROWSER: 0.0, REST: 0.0}

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Iterator[None]:
        """Add a test's wall time, less any build it waited for, to its phase."""
        start, built = time.monotonic(), _RECORDED.get(BUILD, 0.0)
        try:
            return (yield)
        finally:
            waited = _RECORDED.get(BUILD, 0.0) - built
            self.seconds[category(item)] += time.monotonic() - start - waited

    def rows(self) -> list[tuple[str, float]]:
        """The table's rows: (phase, seconds), the total last."""
        made = os.environ.get("GYM_ON_A_SERVER_MAKE_STARTED")  # set by the Makefile's test target
        setup = [("setup: apt, virtualenv, downloads, ruff", self.started - float(made))] if made else []
        hosts = [(f"  {name}", seconds) for name, seconds in _RECORDED.items() if name != BUILD]
        parts = [
            *setup,
            (BUILD, _RECORDED.get(BUILD, 0.0)),
            (HOSTS, self.seconds[HOSTS]),
            *hosts,
            (BROWSER, self.seconds[BROWSER]),
            (REST, self.seconds[REST]),
        ]
        return [*parts, ("total", time.time() - (float(made) if made else self.started))]

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        """Print the table at the end of the run, and write it where GYM_ON_A_SERVER_PHASES says."""
        rows = self.rows()
        terminalreporter.section("Phases of this run (seconds)")
        for line in table(rows):
            terminalreporter.write_line(line)
        if path := os.environ.get("GYM_ON_A_SERVER_PHASES"):
            with open(path, "w") as file:
                json.dump(rows, file)
