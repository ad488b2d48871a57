"""Render a MuJoCo environment once with this process's ``MUJOCO_GL``, and print one JSON line.

The program that :func:`helpers.mujoco_backends.try_mujoco_backend` runs in a fresh
interpreter, since MuJoCo and PyOpenGL fix their OpenGL back-end on first import::

    MUJOCO_GL=egl python helpers/mujoco_trial.py HalfCheetah-v5 20

prints ``{"ok": true, "ms_per_frame": 49.2, "renderer": "llvmpipe (...)", "error": ""}``, or
``ok`` false with the error's last line (after GLFW's own errors, if any).
"""

from __future__ import annotations

import json
import sys
import time
import traceback
import warnings
from typing import Any


def render_and_time(env_id: str, frames: int) -> dict[str, Any]:
    """Render ``frames`` frames of ``env_id`` and time ``env.render()``; report the error if any.

    Example:
        >>> render_and_time("NoSuchEnvironment-v0", 1)["ok"]
        False
    """
    result: dict[str, Any] = {"ok": False, "ms_per_frame": None}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            import mujoco

            mujoco.set_mju_user_warning(lambda message: None)  # model deprecations: not the point here
            import gymnasium as gym

            env = gym.make(env_id, render_mode="rgb_array")
            env.reset(seed=0)
            env.render()  # the first frame creates the OpenGL context
            seconds = 0.0
            for _ in range(frames):
                env.step(env.action_space.sample())
                start = time.perf_counter()
                env.render()
                seconds += time.perf_counter() - start
            from OpenGL import GL  # the context the last render made current

            renderer = GL.glGetString(GL.GL_RENDERER).decode()
            env.close()
            result = {"ok": True, "ms_per_frame": 1000 * seconds / frames, "renderer": renderer}
        except Exception as error:
            result["error"] = traceback.format_exception_only(error)[-1].strip()
    glfw = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught if w.category.__name__ == "GLFWError")
    result["error"] = "\n".join([*glfw, result.get("error", "")]).strip() if not result["ok"] else ""
    return result


if __name__ == "__main__":
    print(json.dumps(render_and_time(sys.argv[1], int(sys.argv[2]))), flush=True)
