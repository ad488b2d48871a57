"""What the helpers report on an NVIDIA GPU server: MuJoCo through EGL on the GPU, and each mistake's error.

Run on a machine with an NVIDIA GPU and driver, no X display, and gymnasium, mujoco, glfw and PyOpenGL
installed, from the repository's root: ``PYTHONPATH=. python bench/gpu/check.py > bench/gpu/NAME.json``.
Each trial runs in a fresh interpreter (``try_mujoco_backend``); progress goes to stderr.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import gymnasium
import mujoco

from helpers.mujoco_backends import BackendTrial, try_mujoco_backend

NVIDIA_VENDOR = "/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json"  # where a container mounts it
VENDOR_FOLDERS = ["/usr/share/glvnd/egl_vendor.d", "/etc/glvnd/egl_vendor.d", str(Path(NVIDIA_VENDOR).parent)]


def machine() -> dict[str, Any]:
    """The GPU, the versions, and which EGL vendor files the machine has."""
    query = ["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"]
    return {
        "python": platform.python_version(),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "nvidia_smi": subprocess.run(query, capture_output=True, text=True).stdout.strip(),
        "versions": {"gymnasium": gymnasium.__version__, "mujoco": mujoco.__version__},
        "egl_vendor_dirs": {d: sorted(os.listdir(d)) if os.path.isdir(d) else None for d in VENDOR_FOLDERS},
    }


def trial(trials: list[dict[str, Any]], label: str, backend: str, env_id: str = "HalfCheetah-v5", frames: int = 300,
          environment: dict[str, str | None] | None = None) -> BackendTrial:  # fmt: skip
    """Run one back-end trial, record it in ``trials`` and echo it to stderr."""
    start = time.perf_counter()
    result = try_mujoco_backend(backend, env_id, frames=frames, environment=environment, timeout=240)
    trials.append(
        {"label": label, "backend": backend, "env_id": env_id, "frames": frames, "environment": environment,
         "ok": result.ok, "ms_per_frame": result.ms_per_frame, "renderer": result.renderer, "error": result.error,
         "str": str(result), "seconds": round(time.perf_counter() - start, 1)}
    )  # fmt: skip
    print(json.dumps(trials[-1]), file=sys.stderr, flush=True)
    return result


def main() -> None:
    """Every trial, then one JSON document on stdout."""
    trials: list[dict[str, Any]] = []
    first = trial(trials, "egl, default vendor lookup", "egl", frames=20)
    vendor = None
    if not first.ok or "NVIDIA" not in first.renderer:
        vendor = {"__EGL_VENDOR_LIBRARY_FILENAMES": NVIDIA_VENDOR}
        trial(trials, "egl, NVIDIA vendor file named", "egl", frames=20, environment=vendor)
    for env_id in ("HalfCheetah-v5", "Ant-v5", "Humanoid-v5"):
        trial(trials, f"egl {env_id} 300 frames", "egl", env_id, 300, vendor)
    one_gpu_too_many = {**(vendor or {}), "MUJOCO_EGL_DEVICE_ID": "1"}
    trial(trials, "egl device id 1 on a one-GPU machine", "egl", frames=5, environment=one_gpu_too_many)
    no_vendor = {"__EGL_VENDOR_LIBRARY_FILENAMES": "/nonexistent.json"}
    trial(trials, "egl with no usable vendor file", "egl", frames=5, environment=no_vendor)
    trial(trials, "osmesa without libOSMesa", "osmesa", frames=5)
    trial(trials, "glfw without DISPLAY", "glfw", frames=5, environment={"DISPLAY": None})
    print(json.dumps({**machine(), "trials": trials}, indent=1))


if __name__ == "__main__":
    main()
