"""helpers/mujoco_backends.py: try_mujoco_backend, each MUJOCO_GL in a fresh interpreter."""

from __future__ import annotations

from helpers.render import (
    try_mujoco_backend,
)


def test_try_mujoco_backend_renders_with_egl_and_reports_time_and_renderer() -> None:
    trial = try_mujoco_backend("egl", frames=3)

    assert trial.ok and trial.error == "" and trial.renderer, trial
    assert trial.ms_per_frame is not None and trial.ms_per_frame > 0
    assert str(trial).startswith("MUJOCO_GL=egl: works, ") and trial.renderer in str(trial)


def test_try_mujoco_backend_reports_glfws_and_mujocos_errors_without_a_display() -> None:
    trial = try_mujoco_backend("glfw", frames=3, environment={"DISPLAY": None})

    assert not trial.ok and trial.ms_per_frame is None
    lines = trial.error.splitlines()
    assert lines[0] == "GLFWError: (65550) b'X11: The DISPLAY environment variable is missing'"
    assert len(lines) == len(set(lines)), "GLFW's repeated errors are listed once"
    assert lines[-1].startswith("mujoco.FatalError: ")
    assert str(trial).splitlines()[0] == "MUJOCO_GL=glfw: fails"


def test_try_mujoco_backend_starts_from_a_clean_slate_not_this_processs_choice(monkeypatch) -> None:
    monkeypatch.setenv("MUJOCO_GL", "egl")
    monkeypatch.setenv("PYOPENGL_PLATFORM", "egl")  # what importing MuJoCo with egl leaves behind

    assert try_mujoco_backend("osmesa", frames=1).ok


def test_try_mujoco_backend_reports_an_invalid_backend_with_mujocos_message() -> None:
    trial = try_mujoco_backend("vulkan", frames=1)

    assert not trial.ok
    assert trial.error == "RuntimeError: invalid value for environment variable MUJOCO_GL: vulkan"


def test_try_mujoco_backend_reports_an_interpreter_that_dies_or_hangs() -> None:
    died = try_mujoco_backend("egl", environment={"PYTHONHOME": "/nonexistent"})
    hung = try_mujoco_backend("egl", timeout=0.01)

    assert not died.ok and died.error.startswith("Python exited with status 1: Fatal Python error: ")
    assert (hung.ok, hung.error) == (False, "timed out after 0.01 s")
