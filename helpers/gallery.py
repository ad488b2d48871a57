"""Every registered environment rendered without a display: a thumbnail and facts, one row each."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import html
import io
import os
import re
import subprocess
import sys
import textwrap
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .facts import _make, import_third_party_environments

__all__ = ["Gallery", "GalleryRow", "gallery", "gallery_ids"]

ANSI = re.compile(r"\x1b\[[0-9;]*m")
ATARI = "Atari (ale-py)"
THUMBNAIL_WIDTH = 96  # pixels
TIMED_STEPS = 3  # rendered steps timed after reset

FAMILIES = {  # the start of an entry point, and the family it names
    "gymnasium.envs.classic_control": "Classic control",
    "gymnasium.envs.box2d": "Box2D",
    "gymnasium.envs.toy_text": "Toy Text",
    "gymnasium.envs.mujoco": "MuJoCo",
    "gymnasium.envs.phys2d": "Functional (JAX)",
    "gymnasium.envs.tabular": "Functional (JAX)",
    "ale_py": ATARI,
    "minigrid": "Minigrid",
    "highway_env": "highway-env",
}


def family_of(entry_point: Any) -> str:
    """The family an entry point belongs to (a callable one by its name, such as mujoco-py's stub).

    Example:
        >>> family_of("gymnasium.envs.box2d.lunar_lander:LunarLander")
        'Box2D'
    """
    if callable(entry_point):
        name = entry_point.__name__
        return "MuJoCo" if "mujoco" in name else "Compatibility (shimmy)" if "shimmy" in name else name
    return next((family for start, family in FAMILIES.items() if entry_point.startswith(start)), "Other")


def gallery_ids() -> list[str]:
    """The ids the gallery shows: every registered id, once the installed suites have registered theirs.

    That is every id of Gymnasium's own families, of Minigrid and of highway-env, and one id per
    Atari game: ale-py's other ids (``-v4``, ``NoFrameskip``, ``Deterministic``, ``-ram``) are the
    same games with other settings, so only ``ALE/<Game>-v5`` is shown.

    Example:
        >>> ids = gallery_ids()
        >>> "LunarLander-v3" in ids, "ALE/Pong-v5" in ids, "PongNoFrameskip-v4" in ids
        (True, True, False)
    """
    import gymnasium as gym

    import_third_party_environments()
    shown = []
    for env_id, spec in gym.registry.items():
        family = family_of(spec.entry_point)
        if family == ATARI and not (env_id.startswith("ALE/") and env_id.endswith("-v5")):
            continue
        if family == ATARI and "-ram" in env_id:
            continue
        shown.append(env_id)
    return shown


@dataclass(frozen=True)
class GalleryRow:
    """One environment as this machine rendered it, or the error that stopped it."""

    env_id: str
    family: str
    render_modes: tuple[str, ...] = ()
    frame_size: str = ""  # "width x height"
    ms_per_step: float | None = None  # one step and its rgb_array render
    max_episode_steps: int | None = None
    reward_threshold: float | None = None
    thumbnail: str = ""  # a data: URI of a small PNG
    error: str = ""  # the last line of what went wrong
    warning: str = ""  # the first Python warning it gave, if any

    def cells(self, human: dict[str, str]) -> list[str]:
        """The row as HTML table cells, with what ``render_mode='human'`` does without a display."""
        image = f"<img src='{self.thumbnail}' alt='{html.escape(self.env_id)}'>" if self.thumbnail else ""
        text = [
            self.env_id,
            self.family,
            ", ".join(self.render_modes),
            self.frame_size,
            f"{self.ms_per_step:.1f}" if self.ms_per_step is not None else "",
            human.get(self.family, "") if "human" in self.render_modes else "no human mode",
            str(self.reward_threshold),
            str(self.max_episode_steps),
            self.error or (f"(warning) {self.warning}" if self.warning else ""),
        ]
        return [image, *(html.escape(cell) for cell in text)]


HEADER = (
    "Thumbnail",
    "Id",
    "Family",
    "Render modes",
    "Frame (w x h)",
    "ms per rendered step",
    "render_mode='human' without a display",
    "Reward threshold",
    "Max episode steps",
    "Error",
)


@dataclass(frozen=True)
class Gallery:
    """Rows of rendered environments, and what human mode did without a display in each family."""

    rows: tuple[GalleryRow, ...]
    human: dict[str, str]  # family -> what render_mode="human" did without a display
    seconds: float

    def __str__(self) -> str:
        failed = sum(bool(row.error) for row in self.rows)
        return f"{len(self.rows)} environments, {failed} with an error, rendered in {self.seconds:.0f} s"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{cell}</th>" for cell in HEADER)
        body = "".join(
            f"<tr id='{html.escape(row.env_id)}'>"
            + "".join(f"<td>{cell}</td>" for cell in row.cells(self.human))
            + "</tr>"
            for row in self.rows
        )
        return (
            f"<table class='gallery'><caption>{html.escape(str(self))}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )


def _thumbnail(frame: Any) -> str:
    """A frame scaled to THUMBNAIL_WIDTH pixels wide, as a PNG data: URI."""
    from PIL import Image

    image = Image.fromarray(frame)
    height = max(1, round(image.height * THUMBNAIL_WIDTH / image.width))
    buffer = io.BytesIO()
    image.resize((THUMBNAIL_WIDTH, height)).quantize(64).save(buffer, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _last_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error).strip().splitlines()[-1] if str(error).strip() else ''}"


def render_row(env_id: str) -> GalleryRow:
    """Make ``env_id`` in rgb_array mode, reset it, and time a few steps with their renders.

    Python warnings are kept in the row (the first one), and what the environment prints is
    dropped (Minigrid's BabyAI levels print each rejected layout).

    Example:
        >>> row = render_row("CartPole-v1")
        >>> row.frame_size, row.max_episode_steps, row.thumbnail[:22], row.error
        ('600 x 400', 500, 'data:image/png;base64,', '')
    """
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("always")
        row = _render_row(env_id)
    first = next((str(warning.message) for warning in caught), "")
    return dataclasses.replace(row, warning=ANSI.sub("", first).strip())


def _render_row(env_id: str) -> GalleryRow:
    import gymnasium as gym

    spec = gym.spec(env_id)
    family = family_of(spec.entry_point)
    try:
        env = _make(env_id, spec, render_mode="rgb_array")  # as query_environment makes it, to draw
    except Exception as error:  # noqa: BLE001 - any failure is what the gallery shows
        return GalleryRow(env_id, family, error=_last_line(error))
    modes = tuple(env.metadata.get("render_modes", ()))
    try:
        # To take a seed, ale-py loads its game again, which was a fifth of the gallery's time; an
        # Atari game's first frame is the same without one (in 103 of 104 games).
        env.reset(seed=None if family == ATARI else 0)
        env.action_space.seed(0)
        frame = env.render()
        start = time.perf_counter()
        for _ in range(TIMED_STEPS):
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            env.render()
            if terminated or truncated:
                env.reset()
        ms = (time.perf_counter() - start) * 1000 / TIMED_STEPS
        return GalleryRow(
            env_id,
            family,
            modes,
            f"{frame.shape[1]} x {frame.shape[0]}",
            ms,
            spec.max_episode_steps,  # what query_environment reports, from the registration
            spec.reward_threshold,
            _thumbnail(frame),
        )
    except Exception as error:  # noqa: BLE001
        return GalleryRow(env_id, family, modes, error=_last_line(error))
    finally:
        env.close()


HUMAN_TRIAL = """
import sys
import helpers.render
import gymnasium as gym
from helpers.facts import import_third_party_environments
import_third_party_environments()
env = gym.make(sys.argv[1], render_mode="human")
env.reset(seed=0)
env.step(env.action_space.sample())
driver = ""
if "pygame" in sys.modules:
    import pygame
    driver = f" (SDL's {pygame.display.get_driver()} video driver)" if pygame.display.get_init() else ""
env.close()
print(f"works without one{driver}")
"""


def human_without_display(env_id: str) -> str:
    """What ``render_mode="human"`` does for ``env_id`` in a fresh process with no ``DISPLAY``.

    Example:
        >>> print(human_without_display("Hopper-v5"))  # MuJoCo's window is GLFW's  # doctest: +ELLIPSIS
        fails (needs Xvfb): ...
    """
    environment = {name: value for name, value in os.environ.items() if name not in ("DISPLAY", "SDL_VIDEODRIVER")}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [os.getcwd(), os.environ.get("PYTHONPATH")]))
    environment.setdefault("MUJOCO_GL", "glfw")  # human mode opens MuJoCo's window with GLFW
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(HUMAN_TRIAL), env_id],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    if done.returncode == 0:
        return done.stdout.strip().splitlines()[-1]
    lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
    return f"fails (needs Xvfb): {lines[-1]}"


def gallery(env_ids: Iterable[str] | None = None, *, progress: Callable[[str], None] | None = None) -> Gallery:
    """Render every environment of :func:`gallery_ids` (or ``env_ids``) without a display.

    Each row has a thumbnail of the first frame, the render modes, the frame size, the
    milliseconds one step and its ``rgb_array`` render took here, the reward threshold and
    episode limit from its registration (what ``query_environment`` reports), or the error that
    stopped it. For each family, one environment is also tried with ``render_mode="human"`` in a
    process without ``DISPLAY``, which shows whether that family needs Xvfb for windows.

    Example:
        >>> shown = gallery(["CartPole-v1", "Blackjack-v1"])
        >>> [row.env_id for row in shown.rows], sorted(shown.human)
        (['CartPole-v1', 'Blackjack-v1'], ['Classic control', 'Toy Text'])
    """
    start = time.perf_counter()
    rows = []
    for env_id in gallery_ids() if env_ids is None else env_ids:
        if progress:
            progress(env_id)
        rows.append(render_row(env_id))
    human = {}
    for row in rows:
        if "human" in row.render_modes and row.family not in human:
            human[row.family] = human_without_display(row.env_id)
    return Gallery(tuple(rows), human, time.perf_counter() - start)
