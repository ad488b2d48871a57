"""Recording episodes to mp4 and showing videos in a notebook or a built page."""

from __future__ import annotations

import base64
import html
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .notebook_output import Notice

if TYPE_CHECKING:
    import gymnasium as gym
    from IPython.display import HTML

__all__ = ["show_video", "show_videos", "wrap_env", "write_video"]

FRAME_RENDER_MODES = ("rgb_array", "rgb_array_list")


def wrap_env(
    env: gym.Env[Any, Any],
    video_folder: str | Path = "video",
    *,
    episode_trigger: Callable[[int], bool] | None = None,
    name_prefix: str = "rl-video",
) -> gym.Env[Any, Any]:
    """Record episodes of ``env`` to H.264 mp4 files in ``video_folder``.

    Every episode is recorded unless ``episode_trigger(episode_index)`` says
    otherwise. It first deletes the folder's earlier videos with the same
    ``name_prefix``, so the folder holds this run's videos only. A video is
    written when its episode ends or the environment is closed. The environment
    must render frames (``render_mode="rgb_array"``), else a ``ValueError`` says so.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> import gymnasium as gym
        >>> folder = tempfile.mkdtemp()
        >>> env = wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"), folder)
        >>> _ = env.reset(seed=0)
        >>> terminated = truncated = False
        >>> while not (terminated or truncated):
        ...     _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        >>> env.close()
        >>> [video.name for video in Path(folder).glob("*.mp4")]
        ['rl-video-episode-0.mp4']
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


def show_video(path: str | Path = "video", caption: str | None = None) -> HTML | Notice:
    """Embed an mp4 in the notebook: the newest one of a folder, or a given file.

    The video is inlined as an HTML5 ``<video autoplay loop controls>`` element,
    so it plays in a built web page and in Colab alike. Its first frame is its
    poster, shown before any of the video has loaded, and ``caption`` (by default
    the file's name) is its label for screen readers. With no video there, or a
    file that does not decode, the answer is a :class:`Notice` that says what to do.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> import numpy as np
        >>> folder = Path(tempfile.mkdtemp())
        >>> show_video(folder)  # doctest: +ELLIPSIS
        No mp4 video at '...'. Record one first: ...
        >>> video = write_video([np.zeros((64, 64, 3), np.uint8)] * 10, folder / "black.mp4")
        >>> show_video(folder).data[:6]
        '<video'
        >>> 'aria-label="black.mp4"' in show_video(folder).data
        True
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
    video = videos[-1]
    poster = _first_frame_jpeg(video)
    if poster is None:
        return Notice(
            f"'{video}' is not an mp4 that ffmpeg can decode. If an environment is still recording "
            "it, call env.close() to finish writing the file, then show it again."
        )
    width, height = _jpeg_size(poster)
    label = html.escape(caption if caption is not None else video.name, quote=True)
    data = base64.b64encode(video.read_bytes()).decode("ascii")
    return HTML(
        f'<video autoplay loop muted playsinline controls width="{width}" height="{height}" '
        f'aria-label="{label}" poster="data:image/jpeg;base64,{base64.b64encode(poster).decode("ascii")}" '
        'style="max-width: 100%; height: auto">'
        f'<source type="video/mp4" src="data:video/mp4;base64,{data}"></video>'
    )


def _first_frame_jpeg(video: Path) -> bytes | None:
    """The video's first frame as a JPEG, decoded by imageio-ffmpeg's ffmpeg; None if it does not decode."""
    import subprocess

    import imageio_ffmpeg

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(video), "-frames:v", "1"]
    command += ["-c:v", "mjpeg", "-q:v", "5", "-f", "image2pipe", "-"]
    result = subprocess.run(command, capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    return result.stdout if result.returncode == 0 and result.stdout.startswith(b"\xff\xd8") else None


def _jpeg_size(jpeg: bytes) -> tuple[int, int]:
    """Width and height of a baseline or progressive JPEG, read from its start-of-frame segment."""
    position = 2  # after the start-of-image marker
    while jpeg[position + 1] not in (0xC0, 0xC1, 0xC2):
        position += 2 + int.from_bytes(jpeg[position + 2 : position + 4], "big")
    height, width = (
        int.from_bytes(jpeg[position + 5 : position + 7], "big"),
        int.from_bytes(jpeg[position + 7 : position + 9], "big"),
    )
    return width, height


def show_videos(videos: Sequence[str | Path], captions: Sequence[str] | None = None) -> HTML:
    """Embed several mp4s side by side, each under its caption, to compare agents.

    Each entry is a file or a folder, as for :func:`show_video` (a folder gives its
    newest mp4); its caption is also its label for screen readers. The videos wrap
    onto a new row when the page is narrow.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> import numpy as np
        >>> folder = Path(tempfile.mkdtemp())
        >>> dark = write_video([np.full((32, 32, 3), 40, np.uint8)] * 5, folder / "dark.mp4")
        >>> light = write_video([np.full((32, 32, 3), 220, np.uint8)] * 5, folder / "light.mp4")
        >>> shown = show_videos([dark, light], ["dark", "light"])
        >>> shown.data.count("<video"), shown.data.count("<figcaption>")
        (2, 2)
    """
    from IPython.display import HTML

    captions = list(captions) if captions is not None else [str(video) for video in videos]
    if len(captions) != len(videos):
        raise ValueError(
            f"show_videos got {len(videos)} videos but {len(captions)} captions: give one caption a video."
        )
    figures = []
    for video, caption in zip(videos, captions):
        shown = show_video(video, caption)
        body = shown.data if isinstance(shown, HTML) else shown._repr_html_()
        figures.append(
            '<figure style="flex: 1 1 200px; max-width: 600px; margin: 0">'
            f"{body}<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    return HTML(f'<div style="display: flex; flex-wrap: wrap; gap: 1em">{"".join(figures)}</div>')


def write_video(frames: Iterable[Any], path: str | Path, fps: float = 30) -> Path:
    """Write RGB frames (height x width x 3, uint8) to an H.264 yuv420p mp4 and return its path.

    For frames that do not come from a Gymnasium environment, such as the
    screens of an emulator driven by hand; ``show_video(path)`` embeds the
    result. Odd frame sizes are padded by one pixel, as yuv420p needs even ones.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> import numpy as np
        >>> frames = [np.full((210, 160, 3), shade, dtype=np.uint8) for shade in range(0, 250, 10)]
        >>> write_video(frames, Path(tempfile.mkdtemp()) / "fade.mp4").name
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
