"""Watching an episode live in a notebook, with no display, and keeping its video afterwards."""

from __future__ import annotations

import struct
import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .episodes import AgentLike, Episode
from .video import show_video, write_video

if TYPE_CHECKING:
    from collections.abc import Iterator

    import gymnasium as gym
    import numpy as np

__all__ = ["watch_episode"]

UPDATES_PER_SECOND = 15  # at most this many redraws of the live output, whatever the frame rate


def watch_episode(
    env: gym.Env[Any, Any],
    agent: AgentLike,
    seed: int | None = None,
    *,
    video_path: str | Path = "video-live/episode.mp4",
    caption: str | None = None,
) -> Episode:
    """Play one episode and show it live in one notebook output, redrawn in place at each frame.

    The environment draws its frames itself (``render_mode="rgb_array"``), so no
    display is needed, in Jupyter or in Colab. In a notebook the episode runs at the
    environment's frame rate, ``env.metadata["render_fps"]``, and the output shows
    each frame as it is drawn; when the episode ends, that same output becomes the
    episode's video (as :func:`show_video` shows it), which is what a saved
    notebook or a built page keeps. Outside a notebook it only plays and records.
    The video is written to ``video_path``, one frame a step plus the first.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> import gymnasium as gym
        >>> from helpers.episodes import Agent
        >>> env = gym.make("CartPole-v1", render_mode="rgb_array")
        >>> video = Path(tempfile.mkdtemp()) / "live.mp4"
        >>> episode = watch_episode(env, Agent(env, seed=0), seed=0, video_path=video)
        >>> episode.steps == episode.total_reward, video.exists()
        (True, True)
    """
    from IPython.display import Image, display

    if env.render_mode != "rgb_array":
        raise ValueError(
            f"watch_episode needs an environment that renders frames, but this one has "
            f"render_mode={env.render_mode!r}. Make it with render_mode='rgb_array', "
            f"for example gym.make({env.spec.id if env.spec else 'env_id'!r}, render_mode='rgb_array')."
        )
    fps = float(env.metadata.get("render_fps") or 30)
    watched = _in_notebook()
    live: list[Any] = []  # the notebook output that shows the episode, once it is on screen
    result: list[Episode] = []

    def frames() -> Iterator[np.ndarray]:
        state, _ = env.reset(seed=seed)
        total_reward, steps, done = 0.0, 0, False
        next_frame = next_update = time.monotonic()
        while True:
            frame = env.render()
            if watched and not live:
                live.append(display(Image(data=_png(frame)), display_id=True))
            elif watched:  # pace the episode at the environment's frame rate while it is watched
                time.sleep(max(0.0, next_frame - time.monotonic()))
                if time.monotonic() >= next_update or done:
                    live[0].update(Image(data=_png(frame)))
                    next_update = time.monotonic() + 1 / UPDATES_PER_SECOND
            next_frame += 1 / fps
            yield frame
            if done:
                break
            state, reward, terminated, truncated, _ = env.step(agent.get_action(state))
            total_reward, steps, done = total_reward + float(reward), steps + 1, terminated or truncated
        result.append(Episode(total_reward, steps))

    path = write_video(frames(), video_path, fps=fps)
    if live:
        live[0].update(show_video(path, caption))
    return result[0]


def _in_notebook() -> bool:
    """Whether this code runs in a notebook's kernel (Jupyter, Colab), which can redraw an output."""
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None


def _png(frame: np.ndarray) -> bytes:
    """An RGB frame (height x width x 3, uint8) as PNG bytes, for a notebook's image output."""
    import numpy as np

    height, width, _ = frame.shape
    rows = np.hstack([np.zeros((height, 1), np.uint8), np.ascontiguousarray(frame, np.uint8).reshape(height, -1)])

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
        + chunk(b"IEND", b"")
    )
