"""MuJoCo's OpenGL back-ends (``MUJOCO_GL``): trying each one in a fresh interpreter."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from .reproduce import child_environment

__all__ = ["BackendTrial", "try_mujoco_backend"]

TRIAL_PROGRAM = Path(__file__).with_name("mujoco_trial.py")


class BackendTrial(NamedTuple):
    """How one ``MUJOCO_GL`` back-end fared: it rendered (and how fast), or its error."""

    backend: str | None  # the MUJOCO_GL value tried; None when it was left unset
    ok: bool
    ms_per_frame: float | None  # mean time of env.render(), in milliseconds
    error: str  # the error's last line (after GLFW's own errors, if any); "" when ok
    renderer: str = ""  # OpenGL's GL_RENDERER when it worked, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"

    def __str__(self) -> str:
        name = f"MUJOCO_GL={self.backend}" if self.backend is not None else "MUJOCO_GL unset"
        if self.ok:
            return f"{name}: works, {self.ms_per_frame:.1f} ms per frame, drawn by {self.renderer}"
        return f"{name}: fails\n" + "\n".join(f"    {line}" for line in self.error.splitlines())


def try_mujoco_backend(
    backend: str | None,
    env_id: str = "HalfCheetah-v5",
    *,
    frames: int = 20,
    environment: Mapping[str, str | None] | None = None,
    timeout: float = 120,
) -> BackendTrial:
    """Render a MuJoCo environment with ``MUJOCO_GL=backend`` in a fresh Python, and time it.

    MuJoCo and PyOpenGL fix their OpenGL back-end when they are first imported, so
    each back-end needs its own interpreter: this runs ``helpers/mujoco_trial.py``,
    which renders ``frames`` frames of ``env_id`` in ``rgb_array`` mode and reports
    the mean milliseconds per ``env.render()`` and the OpenGL renderer that drew
    them, or the error that stopped it. The child gets this process's environment
    variables without ``MUJOCO_GL`` and ``PYOPENGL_PLATFORM`` (importing MuJoCo
    sets the latter), then ``MUJOCO_GL=backend`` unless ``backend`` is None, then
    ``environment`` (a value of None unsets a variable, e.g. ``{"DISPLAY": None}``
    to run without an X display).

    Example:
        >>> trial = try_mujoco_backend("egl", frames=2)
        >>> trial.ok, trial.renderer.split()[0]  # Mesa's software renderer on a machine without a GPU
        (True, 'llvmpipe')
        >>> print(try_mujoco_backend("glfw", frames=2, environment={"DISPLAY": None}))  # doctest: +ELLIPSIS
        MUJOCO_GL=glfw: fails
            GLFWError: (65550) b'X11: The DISPLAY environment variable is missing'
            ...
    """
    variables = child_environment(**{"MUJOCO_GL": backend, "PYOPENGL_PLATFORM": None, **(environment or {})})
    command = [sys.executable, str(TRIAL_PROGRAM), env_id, str(frames)]
    try:
        run = subprocess.run(command, capture_output=True, text=True, env=variables, timeout=timeout)
    except subprocess.TimeoutExpired:
        return BackendTrial(backend, False, None, f"timed out after {timeout:g} s")
    report = next((line for line in reversed(run.stdout.splitlines()) if line.startswith("{")), None)
    if report is None:  # the interpreter died before reporting, e.g. a crash in a GL driver
        lines = [line.strip() for line in run.stderr.splitlines() if line.strip()]
        cause = next(
            (line for line in lines if re.search(r"error|fault|abort", line, re.I)), lines[-1] if lines else ""
        )
        return BackendTrial(backend, False, None, f"Python exited with status {run.returncode}: {cause}".rstrip(": "))
    answer = json.loads(report)
    return BackendTrial(backend, answer["ok"], answer["ms_per_frame"], answer["error"], answer.get("renderer", ""))
