"""How much memory a program takes at its peak, with the processes it starts (such as ffmpeg)."""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["MemoryPeak", "peak_memory"]


@dataclass(frozen=True)
class MemoryPeak:
    """A program's peak memory in MB (PSS of it and its children together), and what it printed."""

    megabytes: float
    stdout: str


def peak_memory(
    command: Sequence[str], env: Mapping[str, str] | None = None, cwd: str | None = None, interval: float = 0.02
) -> MemoryPeak:
    """Run ``command`` in a new process and sample the memory of it and its children until it ends.

    ``env`` and ``cwd`` are the new process's environment and working directory, as for
    :class:`subprocess.Popen`. Memory is PSS (proportional set size): pages shared between processes are split
    between them, so the sum over a process and its children counts each page once.
    Sampling every ``interval`` seconds may miss a peak shorter than that. The
    program's stderr is kept out of the way; if it fails, a ``RuntimeError`` shows
    the end of it.

    Example:
        >>> import sys
        >>> small = peak_memory([sys.executable, "-c", "print('hello')"])
        >>> large = peak_memory([sys.executable, "-c", "import time; x = bytearray(300_000_000); time.sleep(0.5)"])
        >>> small.stdout.strip(), large.megabytes - small.megabytes > 250
        ('hello', True)
    """
    import psutil

    peak = 0
    # Files rather than pipes: a program that prints a lot would block on a full pipe.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = psutil.Popen(list(command), stdout=out, stderr=err, env=env, cwd=cwd)
        while process.poll() is None:
            total = 0
            for member in [process, *process.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a process that ended meanwhile
                    total += member.memory_full_info().pss
            peak = max(peak, total)
            time.sleep(interval)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed (exit status {process.returncode}):\n{stderr[-2000:]}")
    return MemoryPeak(peak / 1e6, stdout)
