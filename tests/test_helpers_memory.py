"""helpers/memory.py: peak_memory."""

from __future__ import annotations

import sys

import pytest

from helpers.render import peak_memory

ALLOCATE = "import time; memory = bytearray({size}); time.sleep(0.5)"


def test_peak_memory_counts_the_processes_that_the_program_starts() -> None:
    alone = peak_memory([sys.executable, "-c", ALLOCATE.format(size=10)])
    parent_only = peak_memory([sys.executable, "-c", ALLOCATE.format(size=200_000_000)])
    with_child = peak_memory(
        [
            sys.executable,
            "-c",
            "import subprocess, sys; subprocess.run([sys.executable, '-c', "
            f"{ALLOCATE.format(size=200_000_000)!r}]); print('child done')",
        ]
    )

    assert 180 < parent_only.megabytes - alone.megabytes < 260
    assert 180 < with_child.megabytes - alone.megabytes < 300  # the child's 200 MB, and a second interpreter
    assert with_child.stdout == "child done\n"


def test_peak_memory_shows_the_end_of_stderr_when_the_program_fails() -> None:
    with pytest.raises(RuntimeError, match=r"exit status 3(.|\n)*the reason"):
        peak_memory([sys.executable, "-c", "import sys; print('the reason', file=sys.stderr); sys.exit(3)"])
