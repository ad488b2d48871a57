"""Reproducing an error message: run a program in a fresh process, keep the lines a reader pastes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Reproduction", "child_environment", "reproduce"]

ROOT = Path(__file__).resolve().parent.parent
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_WARNING_PLACE = re.compile(r"^\S+\.py:\d+: (?=\w+(Warning|Error): )")  # "/path/file.py:298: UserWarning: ..."


def child_environment(**changes: str | None) -> dict[str, str]:
    """This process's environment variables with ``changes``, for a child process: a value of None unsets one.

    Example:
        >>> variables = child_environment(DISPLAY=None, MUJOCO_GL="egl")
        >>> "DISPLAY" in variables, variables["MUJOCO_GL"], variables["PATH"] == os.environ["PATH"]
        (False, 'egl', True)
    """
    variables = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            variables.pop(name, None)
        else:
            variables[name] = value
    return variables


@dataclass(frozen=True)
class Reproduction:
    """What a program printed when it was run to reproduce a message."""

    returncode: int
    output: str  # stdout and stderr, as printed

    @property
    def lines(self) -> list[str]:
        """Every printed line, without colour codes and without a warning's file-and-line prefix."""
        return [_WARNING_PLACE.sub("", _ANSI.sub("", line)).rstrip() for line in self.output.splitlines()]

    @property
    def messages(self) -> list[str]:
        """The lines a reader would search for: the unindented ones, without traceback headers, each once."""
        skip = ("Traceback (most recent call last):", "During handling of the above exception")
        kept = [line for line in self.lines if line and not line[0].isspace() and not line.startswith(skip)]
        return list(dict.fromkeys(kept))

    def tail(self, count: int = 6) -> str:
        """The exit status and the last ``count`` non-empty lines, stripped (e.g. for pip's indented output)."""
        lines = [line.strip() for line in self.lines if line.strip()]
        return "\n".join([f"exit status {self.returncode}", *lines[-count:]])

    def __str__(self) -> str:
        return "\n".join([f"exit status {self.returncode}", *self.messages])


def reproduce(
    code: str | None = None,
    *,
    shell: str | None = None,
    display: bool = False,
    xvfb_installed: bool = True,
    timeout: float = 300,
    **environment: str | None,
) -> Reproduction:
    """Run Python ``code`` (or a ``shell`` command) in a fresh process and return what it printed.

    The process inherits this one's environment variables, with the repository on
    ``PYTHONPATH`` (so that it can import helpers), without ``DISPLAY`` unless
    ``display`` is true, and with an empty ``PATH`` when ``xvfb_installed`` is false
    (no Xvfb to find); then ``environment`` is applied (None unsets a variable).
    Printing the result shows the exit status and the lines a reader pastes.

    Example:
        >>> print(reproduce("import gymnasium; gymnasium.make('CartPole-v1').step(0)"))
        exit status 1
        gymnasium.error.ResetNeeded: Cannot call env.step() before calling env.reset()
        >>> reproduce(shell="echo DISPLAY=$DISPLAY").lines
        ['DISPLAY=']
        >>> reproduce(shell="echo DISPLAY=$DISPLAY", DISPLAY=":744").lines
        ['DISPLAY=:744']
    """
    defaults: dict[str, str | None] = {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        **({} if display else {"DISPLAY": None}),
        **({} if xvfb_installed else {"PATH": tempfile.mkdtemp(prefix="empty-path-")}),
    }
    variables = child_environment(**(defaults | environment))  # the caller's changes win
    if shell is not None:
        command: list[str] = ["bash", "-c", shell]
    else:
        command = [sys.executable, "-c", textwrap.dedent(code or "")]
    run = subprocess.run(command, capture_output=True, text=True, env=variables, timeout=timeout)
    return Reproduction(run.returncode, run.stdout + run.stderr)
