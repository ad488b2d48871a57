"""Run Gymnasium environments on a machine without a screen, and watch them.

One small module that every chapter of *Gym on a Server* imports. It keeps the
names of the 2021 recipe (``query_environment``, ``wrap_env``, ``show_video``
and a random ``Agent``) on top of today's stack: Gymnasium 1.x, ale-py,
pyvirtualdisplay and Xvfb.

Importing it also quiets the native libraries that otherwise write noise into
notebooks: pygame's greeting, SDL's ``XDG_RUNTIME_DIR`` complaint and ALSA's
audio errors.
"""

from __future__ import annotations

import atexit
import base64
import difflib
import html
import importlib
import importlib.metadata
import os
import platform
import re
import shutil
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, ClassVar, Iterable, Mapping, NamedTuple, Sequence

__all__ = [
    "Agent",
    "BackendTrial",
    "Episode",
    "EnvironmentFacts",
    "EnvironmentNotFound",
    "EnvironmentTable",
    "SetupReport",
    "XvfbNotFound",
    "check_setup",
    "compare_environments",
    "evaluate",
    "play_episode",
    "query_environment",
    "screenshot_display",
    "show_video",
    "show_videos",
    "start_virtual_display",
    "try_mujoco_backend",
    "wrap_env",
    "write_video",
]

XVFB_INSTALL = "sudo apt-get install -y xvfb xauth"
"""The command that installs Xvfb on Debian and Ubuntu (in Colab: ``!apt-get install -y xvfb``)."""


def _quiet_native_libraries() -> None:
    """Keep pygame, SDL and ALSA from writing to the notebook; must run before pygame loads."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    runtime_dir = os.environ.get("XDG_RUNTIME_DIR", "")
    if not (os.path.isdir(runtime_dir) and os.access(runtime_dir, os.W_OK)):
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="xdg-runtime-")


_quiet_native_libraries()


def _table_html(caption: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    """An HTML table for a notebook's rich display."""
    head = "".join(f"<th style='text-align:left'>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td style='text-align:left'>{html.escape(cell)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return (
        f"<table><caption style='text-align:left'>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


# --- A virtual display -----------------------------------------------------------------

_virtual_display: Any = None  # the pyvirtualdisplay.Display this module started, if any


class XvfbNotFound(FileNotFoundError):
    """Xvfb, the virtual X server, is not installed."""


def _display_is_live(display: str) -> bool:
    """Whether DISPLAY names a reachable X server (a local one must have its socket)."""
    match = re.fullmatch(r":(\d+)(\.\d+)?", display)
    if match is None:  # host:N, as with ssh -X: trust it
        return bool(display)
    return Path(f"/tmp/.X11-unix/X{match.group(1)}").exists()


def start_virtual_display(size: tuple[int, int] = (1400, 900)) -> str:
    """Make sure an X display exists, starting Xvfb if needed, and return its name.

    A live ``DISPLAY`` (a desktop, or ``xvfb-run``) is reused. Otherwise Xvfb is
    started through pyvirtualdisplay and stopped when Python exits. Calling it
    again returns the same display.

    Example:
        >>> start_virtual_display()  # doctest: +SKIP
        ':0'
    """
    global _virtual_display
    current = os.environ.get("DISPLAY", "")
    if _virtual_display is not None or _display_is_live(current):
        return current
    if shutil.which("Xvfb") is None:
        raise XvfbNotFound(
            "Xvfb is not installed, so there is no virtual display to start. "
            f"Install Debian's xvfb package: {XVFB_INSTALL} "
            "(in Colab: !apt-get install -y xvfb)."
        )
    from pyvirtualdisplay import Display

    display = Display(visible=False, size=size)
    display.start()
    atexit.register(display.stop)
    _virtual_display = display
    return os.environ["DISPLAY"]


# --- What an environment is ------------------------------------------------------------


class EnvironmentNotFound(LookupError):
    """No environment is registered under the id asked for."""


CONVENTIONAL_REWARD_RANGE = (-float("inf"), float("inf"))


@dataclass(frozen=True)
class EnvironmentFacts:
    """The six facts the 2021 recipe printed about an environment, plus its id."""

    env_id: str
    action_space: Any
    observation_space: Any
    max_episode_steps: int | None
    nondeterministic: bool
    reward_range: tuple[float, float]
    reward_range_declared: bool
    reward_threshold: float | None

    def rows(self) -> list[tuple[str, str]]:
        """The facts as (label, value) pairs, in the 2021 recipe's order."""
        origin = (
            "declared by the environment"
            if self.reward_range_declared
            else "not declared; the conventional default"
        )
        return [
            ("Action Space", str(self.action_space)),
            ("Observation Space", str(self.observation_space)),
            ("Max Episode Steps", str(self.max_episode_steps)),
            ("Nondeterministic", str(self.nondeterministic)),
            ("Reward Range", f"{self.reward_range} ({origin})"),
            ("Reward Threshold", str(self.reward_threshold)),
        ]

    def __str__(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.rows())

    def _repr_html_(self) -> str:
        return _table_html(self.env_id, self.rows(), ("Fact", "Value"))


def _import_atari_environments() -> None:
    """Register ale-py's Atari ids with Gymnasium, and keep ALE's banner out of outputs."""
    try:
        import ale_py
    except ImportError:
        return
    import gymnasium as gym

    ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)
    gym.register_envs(ale_py)


def _registered_spec(env_id: str) -> Any:
    """Gymnasium's spec for env_id, or an EnvironmentNotFound naming close matches."""
    import gymnasium as gym

    if env_id not in gym.registry:
        _import_atari_environments()
    if env_id in gym.registry:
        return gym.spec(env_id)
    matches = difflib.get_close_matches(env_id, list(gym.registry), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(m) for m in matches)}?" if matches else ""
    atari = " Atari ids need ale-py: pip install ale-py." if "ale_py" not in sys.modules else ""
    raise EnvironmentNotFound(
        f"No environment {env_id!r} is registered with Gymnasium.{hint}{atari} "
        "List every id with gymnasium.pprint_registry()."
    )


def _declared_reward_range(env: Any, gym_module: ModuleType) -> tuple[float, float] | None:
    """The unwrapped env's own ``reward_range``; None when it has none, or inherits ``Env``'s default unchanged.

    Legacy gym's ``Env`` class sets ``reward_range = (-inf, inf)`` for every environment, so a
    range counts as declared only when it is not that very class attribute.
    """
    declared = getattr(env, "reward_range", None)
    if declared is None or declared is getattr(gym_module.Env, "reward_range", None):
        return None
    return tuple(declared)


def _legacy_spec(env_id: str, gym_module: ModuleType) -> Any:
    """The spec of env_id in another gym-like module (legacy ``gym``), or an EnvironmentNotFound."""
    try:
        return gym_module.spec(env_id)
    except gym_module.error.Error as error:
        version = getattr(gym_module, "__version__", "")
        raise EnvironmentNotFound(
            f"No environment {env_id!r} is registered with {gym_module.__name__} {version}: {error}"
        ) from error


def query_environment(env_id: str, *, gym_module: ModuleType | None = None) -> EnvironmentFacts:
    """Describe a registered environment: its spaces, limits and reward facts.

    ``str()`` of the answer gives the 2021 recipe's six lines; a notebook shows a
    table. Atari ids work without importing ale_py first. Gymnasium 1.0 removed
    ``reward_range``: the answer says whether the range was declared by the
    environment or is the conventional ``(-inf, inf)``.

    Example:
        >>> print(query_environment("CartPole-v1"))  # doctest: +ELLIPSIS
        Action Space: Discrete(2)
        Observation Space: Box(..., (4,), float32)
        Max Episode Steps: 500
        Nondeterministic: False
        Reward Range: (-inf, inf) (not declared; the conventional default)
        Reward Threshold: 475.0

    ``gym_module`` asks another gym-like module instead of Gymnasium, such as the
    legacy ``gym`` 0.26 that the 2021 recipe used:

        >>> import gym as legacy_gym  # doctest: +SKIP
        >>> query_environment("FrozenLake-v1", gym_module=legacy_gym).reward_range  # doctest: +SKIP
        (0, 1)
    """
    if gym_module is None:
        import gymnasium

        gym_module, spec = gymnasium, _registered_spec(env_id)
    else:
        spec = _legacy_spec(env_id, gym_module)
    env = gym_module.make(env_id)
    try:
        declared = _declared_reward_range(env.unwrapped, gym_module)
        return EnvironmentFacts(
            env_id=env_id,
            action_space=env.action_space,
            observation_space=env.observation_space,
            max_episode_steps=spec.max_episode_steps,
            nondeterministic=spec.nondeterministic,
            reward_range=tuple(declared) if declared is not None else CONVENTIONAL_REWARD_RANGE,
            reward_range_declared=declared is not None,
            reward_threshold=spec.reward_threshold,
        )
    finally:
        env.close()


def _space_summary(space: Any) -> str:
    """A space in a few characters: Box shows its shape and dtype instead of its bounds."""
    if type(space).__name__ == "Box":
        return f"Box({space.shape}, {space.dtype})"
    return str(space)


@dataclass(frozen=True)
class EnvironmentTable:
    """Facts about several environments, one row each."""

    facts: tuple[EnvironmentFacts, ...]
    header: ClassVar[tuple[str, ...]] = (
        "Id",
        "Action Space",
        "Observation Space",
        "Max Episode Steps",
        "Reward Threshold",
    )

    def rows(self) -> list[tuple[str, ...]]:
        """One row per environment; a Box space shows its shape and dtype, not its bounds."""
        return [
            (
                f.env_id,
                _space_summary(f.action_space),
                _space_summary(f.observation_space),
                str(f.max_episode_steps),
                str(f.reward_threshold),
            )
            for f in self.facts
        ]

    def __str__(self) -> str:
        lines = [self.header, *self.rows()]
        widths = [max(len(line[i]) for line in lines) for i in range(len(self.header))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines)

    def _repr_html_(self) -> str:
        return _table_html(f"{len(self.facts)} environments", self.rows(), self.header)


def compare_environments(env_ids: Iterable[str]) -> EnvironmentTable:
    """Query several environments and put their facts side by side, one row each.

    Any registered id works, as with ``query_environment``; an unknown id raises
    ``EnvironmentNotFound``.

    Example:
        >>> print(compare_environments(["CartPole-v1", "MountainCar-v0"]))
        Id              Action Space  Observation Space   Max Episode Steps  Reward Threshold
        CartPole-v1     Discrete(2)   Box((4,), float32)  500                475.0
        MountainCar-v0  Discrete(3)   Box((2,), float32)  200                -110.0
    """
    return EnvironmentTable(tuple(query_environment(env_id) for env_id in env_ids))


# --- Recording and showing episodes ----------------------------------------------------

FRAME_RENDER_MODES = ("rgb_array", "rgb_array_list")


def wrap_env(
    env: Any,
    video_folder: str | Path = "video",
    *,
    episode_trigger: Callable[[int], bool] | None = None,
    name_prefix: str = "rl-video",
) -> Any:
    """Record episodes of ``env`` to H.264 mp4 files in ``video_folder``.

    Every episode is recorded unless ``episode_trigger(episode_index)`` says
    otherwise. Like the 2021 recipe's ``Monitor(env, './video', force=True)``
    it first deletes the folder's earlier videos with the same ``name_prefix``.
    A video is written when its episode ends or the environment is closed.

    Example:
        >>> import gymnasium as gym
        >>> env = wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"))
        >>> observation, info = env.reset(seed=0)
    """
    from gymnasium.wrappers import RecordVideo

    if env.render_mode not in FRAME_RENDER_MODES:
        raise ValueError(
            f"wrap_env needs an environment that renders frames, but this one has "
            f"render_mode={env.render_mode!r}. Make it with render_mode='rgb_array', "
            f"for example gym.make({env.spec.id if env.spec else 'env_id'!r}, render_mode='rgb_array')."
        )
    folder = Path(video_folder)
    for old_video in folder.glob(f"{name_prefix}-*.mp4"):
        old_video.unlink()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Overwriting existing videos")
        return RecordVideo(
            env,
            str(folder),
            episode_trigger=episode_trigger or (lambda episode: True),
            name_prefix=name_prefix,
        )


class Notice:
    """A short message that reads well both printed and in a notebook."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<p><strong>{html.escape(self.text)}</strong></p>"


def show_video(path: str | Path = "video") -> Any:
    """Embed an mp4 in the notebook: the newest one of a folder, or a given file.

    The video is inlined as an HTML5 ``<video autoplay loop controls>`` element,
    so it plays in a built web page and in Colab alike. With no video there, the
    answer is a message that says how to record one.

    Example:
        >>> show_video("video")  # doctest: +SKIP
        <IPython.core.display.HTML object>
    """
    from IPython.display import HTML

    path = Path(path)
    videos = sorted(path.glob("*.mp4"), key=lambda p: p.stat().st_mtime) if path.is_dir() else []
    if path.is_file():
        videos = [path]
    if not videos:
        return Notice(
            f"No mp4 video at '{path}'. Record one first: env = wrap_env(gym.make(env_id, "
            f"render_mode='rgb_array'), '{path}'), run an episode, then call env.close() "
            "to finish writing the file."
        )
    data = base64.b64encode(videos[-1].read_bytes()).decode("ascii")
    return HTML(
        '<video autoplay loop muted playsinline controls style="max-width: 100%">'
        f'<source type="video/mp4" src="data:video/mp4;base64,{data}"></video>'
    )


def write_video(frames: Iterable[Any], path: str | Path, fps: float = 30) -> Path:
    """Write RGB frames (height x width x 3, uint8) to an H.264 yuv420p mp4 and return its path.

    For frames that do not come from a Gymnasium environment, such as the
    screens of an emulator driven by hand; ``show_video(path)`` embeds the
    result. Odd frame sizes are padded by one pixel, as yuv420p needs even ones.

    Example:
        >>> import numpy as np
        >>> frames = [np.full((210, 160, 3), shade, dtype=np.uint8) for shade in range(0, 250, 10)]
        >>> write_video(frames, "video/fade.mp4").name
        'fade.mp4'
    """
    import imageio_ffmpeg
    import numpy as np

    path = Path(path)
    writer = None
    try:
        for frame in frames:
            frame = np.ascontiguousarray(frame, dtype=np.uint8)
            if frame.ndim != 3 or frame.shape[2] != 3:
                raise ValueError(f"write_video needs RGB frames of shape (height, width, 3), got {frame.shape}.")
            if writer is None:
                path.parent.mkdir(parents=True, exist_ok=True)
                writer = imageio_ffmpeg.write_frames(
                    str(path),
                    (frame.shape[1], frame.shape[0]),
                    fps=fps,
                    codec="libx264",
                    pix_fmt_out="yuv420p",
                    macro_block_size=1,
                    output_params=["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"],
                    ffmpeg_log_level="error",
                )
                writer.send(None)  # start ffmpeg
            writer.send(frame)
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        raise ValueError(f"write_video got no frames, so there is nothing to write to '{path}'.")
    return path


class Agent:
    """The 2021 recipe's agent: it picks a random action, whatever the state.

    Example:
        >>> import gymnasium as gym
        >>> agent = Agent(gym.make("CartPole-v1"), seed=0)
        >>> agent.get_action(None) in (0, 1)
        True
    """

    def __init__(self, env: Any, seed: int | None = None) -> None:
        self.action_space = env.action_space
        if seed is not None:
            self.action_space.seed(seed)

    def get_action(self, state: Any) -> Any:
        """A random action from the environment's action space."""
        return self.action_space.sample()


def screenshot_display(width: int = 700) -> Any:
    """Take a picture of the whole X display (``DISPLAY``), scaled to ``width`` pixels wide.

    This shows what a window opened on a virtual display looks like: grab the
    screen while, say, an environment with ``render_mode="human"`` is open. It
    uses the ffmpeg that comes with imageio-ffmpeg (its ``x11grab`` input), so no
    other screenshot tool is needed. The answer is a PNG that a notebook displays.

    Example:
        >>> start_virtual_display()  # doctest: +SKIP
        >>> screenshot_display(width=400)  # doctest: +SKIP
        <IPython.core.display.Image object>
    """
    import subprocess

    import imageio_ffmpeg
    from IPython.display import Image

    display = os.environ.get("DISPLAY", "")
    if not _display_is_live(display):
        raise RuntimeError(
            f"There is no X display to take a picture of (DISPLAY={display!r}). "
            "Call start_virtual_display() first."
        )
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error",
        "-f", "x11grab", "-draw_mouse", "0", "-i", display,
        "-frames:v", "1", "-vf", f"scale={int(width)}:-1", "-f", "image2pipe", "-c:v", "png", "-",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, timeout=60)
    if result.returncode != 0 or not result.stdout:
        message = result.stderr.decode(errors="replace").strip() or f"exit status {result.returncode}"
        raise RuntimeError(f"ffmpeg could not grab display {display}: {message}")
    return Image(data=result.stdout, format="png")


# --- Checking a machine ----------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One line of a setup report."""

    name: str
    ok: bool
    found: str
    fix: str = ""


@dataclass(frozen=True)
class SetupReport:
    """What this machine has for rendering environments, and how to mend what is missing."""

    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return all(check.ok for check in self.checks)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """Each check as (piece, status, what was found, the fix if it failed)."""
        return [(c.name, "ok" if c.ok else "missing", c.found, "" if c.ok else c.fix) for c in self.checks]

    def __str__(self) -> str:
        width = max(len(c.name) for c in self.checks)
        return "\n".join(
            f"{name:<{width}}  {status:<7}  {found}" + (f"  -> {fix}" if fix else "")
            for name, status, found, fix in self.rows()
        )

    def _repr_html_(self) -> str:
        return _table_html("Setup check", self.rows(), ("Piece", "Status", "Found", "Fix"))


SETUP_PACKAGES = {  # distribution name: what to install when it is missing
    "gymnasium": 'pip install "gymnasium[classic-control,other]"',
    "numpy": "pip install numpy",
    "pygame": 'pip install "gymnasium[classic-control]"',
    "moviepy": 'pip install "gymnasium[other]"',
    "ale-py": "pip install ale-py",
    "pyvirtualdisplay": "pip install pyvirtualdisplay",
}


def _package_check(name: str, fix: str) -> Check:
    """Whether a distribution is installed; pygame-ce counts as pygame."""
    for distribution in (name, f"{name}-ce"):
        try:
            return Check(name, True, f"{distribution} {importlib.metadata.version(distribution)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return Check(name, False, "not installed", fix)


def _display_check() -> Check:
    display = os.environ.get("DISPLAY", "")
    if _display_is_live(display):
        return Check("X display", True, f"DISPLAY={display}")
    if shutil.which("Xvfb"):
        return Check("X display", True, "none yet; Xvfb is installed, start_virtual_display() starts one")
    return Check("X display", False, "no DISPLAY and no Xvfb", XVFB_INSTALL)


def _ffmpeg_check() -> Check:
    try:
        import imageio_ffmpeg

        return Check("ffmpeg", True, imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        system_ffmpeg = shutil.which("ffmpeg")
        if system_ffmpeg:
            return Check("ffmpeg", True, system_ffmpeg)
        return Check("ffmpeg", False, "not found", "pip install imageio-ffmpeg")


def _atari_roms_check() -> Check:
    try:
        roms = importlib.import_module("ale_py.roms").get_all_rom_ids()
    except ImportError:
        return Check("Atari ROMs", False, "ale-py not installed", "pip install ale-py")
    if not roms:
        return Check("Atari ROMs", False, "ale-py has no ROMs", "pip install --upgrade ale-py")
    return Check("Atari ROMs", True, f"{len(roms)} ROMs bundled with ale-py")


def check_setup() -> SetupReport:
    """Report Python and package versions, the X display, ffmpeg and Atari ROMs.

    Each missing piece comes with the command that installs it.

    Example:
        >>> print(check_setup())  # doctest: +SKIP
        Python      ok       3.11.7 (CPython)
        gymnasium   ok       gymnasium 1.4.0
        ...
    """
    python = Check(
        "Python",
        sys.version_info >= (3, 10),
        f"{platform.python_version()} ({platform.python_implementation()})",
        "Gymnasium 1.x needs Python 3.10 or newer",
    )
    packages = [_package_check(name, fix) for name, fix in SETUP_PACKAGES.items()]
    return SetupReport((python, *packages, _display_check(), _ffmpeg_check(), _atari_roms_check()))


# --- MuJoCo's OpenGL back-ends ---------------------------------------------------------

# Run by try_mujoco_backend in a fresh interpreter; prints one JSON line on stdout.
_MUJOCO_TRIAL = """
import json, sys, time, traceback, warnings

env_id, frames = sys.argv[1], int(sys.argv[2])
result = {"ok": False, "ms_per_frame": None}
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
result["error"] = "\\n".join([*glfw, result.get("error", "")]).strip() if not result["ok"] else ""
print(json.dumps(result), flush=True)
"""


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
    each back-end needs its own interpreter: this runs one, renders ``frames``
    frames of ``env_id`` in ``rgb_array`` mode and reports the mean milliseconds
    per ``env.render()``, or the error that stopped it. The child gets this
    process's environment variables without ``MUJOCO_GL`` and ``PYOPENGL_PLATFORM``
    (importing MuJoCo sets the latter), then ``MUJOCO_GL=backend`` unless
    ``backend`` is None, then ``environment`` (a value of None unsets a variable,
    e.g. ``{"DISPLAY": None}`` to run without an X display).

    Example:
        >>> print(try_mujoco_backend("egl"))  # doctest: +SKIP
        MUJOCO_GL=egl: works, 49.2 ms per frame, drawn by llvmpipe (LLVM 15.0.6, 256 bits)
        >>> print(try_mujoco_backend("glfw", environment={"DISPLAY": None}))  # doctest: +SKIP
        MUJOCO_GL=glfw: fails
            GLFWError: (65550) b'X11: The DISPLAY environment variable is missing'
            ...
    """
    import json
    import subprocess

    variables = {k: v for k, v in os.environ.items() if k not in ("MUJOCO_GL", "PYOPENGL_PLATFORM")}
    if backend is not None:
        variables["MUJOCO_GL"] = backend
    for name, value in (environment or {}).items():
        if value is None:
            variables.pop(name, None)
        else:
            variables[name] = value
    command = [sys.executable, "-c", _MUJOCO_TRIAL, env_id, str(frames)]
    try:
        run = subprocess.run(command, capture_output=True, text=True, env=variables, timeout=timeout)
    except subprocess.TimeoutExpired:
        return BackendTrial(backend, False, None, f"timed out after {timeout:g} s")
    report = next((line for line in reversed(run.stdout.splitlines()) if line.startswith("{")), None)
    if report is None:  # the interpreter died before reporting, e.g. a crash in a GL driver
        lines = [line.strip() for line in run.stderr.splitlines() if line.strip()]
        cause = next((line for line in lines if re.search(r"error|fault|abort", line, re.I)), lines[-1] if lines else "")
        return BackendTrial(backend, False, None, f"Python exited with status {run.returncode}: {cause}".rstrip(": "))
    answer = json.loads(report)
    return BackendTrial(backend, answer["ok"], answer["ms_per_frame"], answer["error"], answer.get("renderer", ""))
# --- Playing and judging agents --------------------------------------------------------


@dataclass(frozen=True)
class Episode:
    """One finished episode: its return (the sum of its rewards) and how many steps it took."""

    total_reward: float
    steps: int


def play_episode(env: Any, agent: Any, seed: int | None = None) -> Episode:
    """Play one episode of ``env``, acting with ``agent.get_action(state)``, and sum its rewards.

    The episode starts from ``env.reset(seed=seed)`` and ends when the environment
    terminates or truncates it. Any object with a ``get_action(state)`` method is an
    agent. With ``env = wrap_env(...)`` the episode is recorded; call ``env.close()``
    afterwards to finish writing the video.

    Example:
        >>> import gymnasium as gym
        >>> env = gym.make("CartPole-v1")
        >>> episode = play_episode(env, Agent(env, seed=0), seed=0)
        >>> episode.steps == episode.total_reward  # CartPole pays 1 a step
        True
    """
    state, _ = env.reset(seed=seed)
    total_reward, steps, done = 0.0, 0, False
    while not done:
        state, reward, terminated, truncated, _ = env.step(agent.get_action(state))
        total_reward, steps, done = total_reward + float(reward), steps + 1, terminated or truncated
    return Episode(total_reward, steps)


def evaluate(env_id: str, agent: Any, episodes: int = 20, seed: int = 0) -> list[float]:
    """The returns of ``agent`` over ``episodes`` episodes of ``env_id``, seeded ``seed``, ``seed + 1``, ...

    Fixed seeds give every agent the same starting states, so two agents' returns
    compare fairly and a rerun gives the same numbers. Compare their mean with
    ``gymnasium.spec(env_id).reward_threshold``.

    Example:
        >>> import gymnasium as gym
        >>> returns = evaluate("MountainCar-v0", Agent(gym.make("MountainCar-v0"), seed=0), episodes=3)
        >>> returns  # a random agent never reaches the flag: -1 a step for 200 steps
        [-200.0, -200.0, -200.0]
    """
    import gymnasium as gym

    if episodes < 1:
        raise ValueError(f"evaluate needs at least one episode, not episodes={episodes}.")
    env = gym.make(env_id)
    try:
        return [play_episode(env, agent, seed + i).total_reward for i in range(episodes)]
    finally:
        env.close()


def show_videos(videos: Sequence[str | Path], captions: Sequence[str] | None = None) -> Any:
    """Embed several mp4s side by side, each under its caption, to compare agents.

    Each entry is a file or a folder, as for :func:`show_video` (a folder gives its
    newest mp4). The videos wrap onto a new row when the page is narrow.

    Example:
        >>> show_videos(["video-random", "video-trained"], ["random agent", "trained agent"])  # doctest: +SKIP
        <IPython.core.display.HTML object>
    """
    from IPython.display import HTML

    captions = list(captions) if captions is not None else [str(video) for video in videos]
    if len(captions) != len(videos):
        raise ValueError(f"show_videos got {len(videos)} videos but {len(captions)} captions: give one caption a video.")
    figures = []
    for video, caption in zip(videos, captions):
        shown = show_video(video)
        body = shown.data if isinstance(shown, HTML) else shown._repr_html_()
        figures.append(
            '<figure style="flex: 1 1 200px; max-width: 600px; margin: 0">'
            f"{body}<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    return HTML(f'<div style="display: flex; flex-wrap: wrap; gap: 1em">{"".join(figures)}</div>')
