"""helpers/render.py: the one module chapters import; it quiets native libraries and re-exports the rest."""

from __future__ import annotations

from pathlib import Path

from conftest import run_python
from helpers import display, episodes, facts, gallery, live, memory, mujoco_backends, render, setup_check, video


def test_rendering_writes_no_sdl_or_alsa_noise_to_stderr() -> None:
    result = run_python(
        """
        import helpers.render
        import gymnasium as gym
        env = gym.make("CartPole-v1", render_mode="rgb_array")
        env.reset(seed=0)
        print(env.render().shape)
        """,
        XDG_RUNTIME_DIR=None,
        SDL_AUDIODRIVER=None,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(400, 600, 3)" and result.stderr == ""


def test_render_re_exports_every_public_name_of_the_modules_behind_it() -> None:
    modules = [display, episodes, facts, gallery, live, memory, mujoco_backends, setup_check, video]
    public = {name for module in modules for name in module.__all__} - {"XVFB_INSTALL", "Check"}

    assert public <= set(render.__all__)
    assert all(
        getattr(render, name) is getattr(module, name)
        for module in modules
        for name in module.__all__
        if name in public
    )
    assert len(Path(render.__file__).read_text().splitlines()) < 110
