"""Recording episodes to mp4 and showing videos in a notebook or a built page."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .notebook_output import Notice

if TYPE_CHECKING:
    import gymnasium as gym
    from IPython.display import HTML

__all__ = ["show_video", "show_videos", "wrap_env", "write_video"]

MAX_EMBED_BYTES = 10_000_000  # an mp4 larger than this makes a sluggish page or notebook (base64: 4/3 of it)
MIN_SHOWN_WIDTH = 320  # pixels: a smaller video is shown scaled up by a whole factor, with sharp pixels


def wrap_env(
    env: gym.Env[Any, Any],
    video_folder: str | Path = "video",
    episode_trigger: Callable[[int], bool] | None = None,
    step_trigger: Callable[[int], bool] | None = None,
    video_length: int = 0,
    name_prefix: str = "rl-video",
    fps: float | None = None,
    disable_logger: bool = True,
    gc_trigger: Callable[[int], bool] | None = None,
) -> gym.Env[Any, Any]:
    """Record episodes of ``env`` to H.264 mp4 files in ``video_folder``, streaming frames to ffmpeg.

    A drop-in for Gymnasium's ``RecordVideo``, with its arguments in its order.
    ``episode_trigger(episode_index)`` and ``step_trigger(step_index)`` start videos
    as there, and ``video_length`` (0 for whole episodes) cuts them as there: a clip
    ends once it has more than ``video_length`` frames. ``fps`` defaults to the
    environment's ``metadata["render_fps"]``; ``gc_trigger(episode_index)`` runs
    ``gc.collect()`` after a video. ``render_mode`` is ``"rgb_array"``, or
    ``"rgb_array_list"`` (each step's frame goes into the video, and ``render()``
    still returns the frames since its last call). Where it differs, on purpose:

    - without a trigger every episode is recorded (``RecordVideo``: episodes 0, 1,
      8, 27, ... then every 1000th), as the 2021 recipe's ``wrap_env`` did;
    - the folder's earlier videos with ``name_prefix`` are deleted first, so it holds
      this run's videos only (``RecordVideo`` warns and overwrites);
    - each rendered frame goes straight to an ffmpeg process, so memory stays flat
      however long the episode, and a whole-episode video is finished when its
      episode ends (``RecordVideo``: at the next reset or close);
    - ``gc_trigger`` defaults to never (no frames are held; ``RecordVideo`` collects
      after every video), and ``disable_logger=False`` is refused: there is no moviepy
      progress bar to show;
    - any other render mode gets this function's own ``ValueError``, which says what to pass.

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
    from .recorder import StreamingVideoRecorder, writable_folder

    if env.render_mode not in ("rgb_array", "rgb_array_list"):
        raise ValueError(
            f"wrap_env needs an environment that renders one frame a step, but this one has "
            f"render_mode={env.render_mode!r}. Make it with render_mode='rgb_array', "
            f"for example gym.make({env.spec.id if env.spec else 'env_id'!r}, render_mode='rgb_array')."
        )
    folder = writable_folder(video_folder, "wrap_env")
    for old_video in [*folder.glob(f"{name_prefix}-*.mp4"), *folder.glob(f".{name_prefix}-*.mp4.part")]:
        old_video.unlink()
    return StreamingVideoRecorder(
        env,
        folder,
        episode_trigger=episode_trigger or (None if step_trigger else lambda episode: True),
        step_trigger=step_trigger,
        video_length=video_length,
        name_prefix=name_prefix,
        fps=fps,
        disable_logger=disable_logger,
        gc_trigger=gc_trigger,
    )


def show_video(path: str | Path = "video", caption: str | None = None) -> HTML | Notice:
    """Embed an mp4 in the notebook: the newest one of a folder, or a given file.

    The video is inlined as an HTML5 ``<video autoplay loop controls>`` element,
    so it plays in a built web page and in Colab alike. Its first frame is its
    poster, shown before any of the video has loaded, and ``caption`` (by default
    the file's name) is its label for screen readers. A video narrower than 320 px
    is shown at a whole multiple of its size, its pixels kept sharp. With no video there, or a
    file that does not decode, the answer is a :class:`Notice` that says what to do;
    a file that is not an mp4, or an mp4 over 10 MB, gets a ``ValueError`` that says
    how to convert or shrink it.

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
        >>> 'width="320" height="320"' in show_video(folder).data  # 64 px frames, 5 times as large
        True
    """
    from IPython.display import HTML

    path = Path(path)
    videos = sorted(path.glob("*.mp4"), key=lambda p: p.stat().st_mtime) if path.is_dir() else []
    if path.is_file():
        videos = [path]
    if path.is_file() and path.suffix.lower() != ".mp4":
        raise ValueError(
            f"show_video plays mp4 files, and '{path}' is not one. Convert it first, for example "
            f"ffmpeg -i '{path}' -c:v libx264 -pix_fmt yuv420p '{path.with_suffix('.mp4')}' (an ffmpeg comes "
            "with imageio-ffmpeg: imageio_ffmpeg.get_ffmpeg_exe())."
        )
    if not videos:
        return Notice(
            f"No mp4 video at '{path}'. Record one first: env = wrap_env(gym.make(env_id, "
            f"render_mode='rgb_array'), '{path}'), run an episode, then call env.close() "
            "to finish writing the file."
        )
    video = videos[-1]
    size = video.stat().st_size
    if size > MAX_EMBED_BYTES:
        raise ValueError(
            f"'{video}' is {size / 1e6:.0f} MB, too large to embed in a page (limit "
            f"{MAX_EMBED_BYTES / 1e6:.0f} MB). Record less of it with wrap_env(..., video_length=N) or a "
            "step_trigger, or shrink it to half size: ffmpeg -i in.mp4 -vf scale=iw/2:-2 -crf 28 out.mp4 (an "
            "ffmpeg comes with imageio-ffmpeg: imageio_ffmpeg.get_ffmpeg_exe())."
        )
    poster = _first_frame_jpeg(video)
    if poster is None:
        return Notice(
            f"'{video}' is not an mp4 that ffmpeg can decode. If an environment is still recording "
            "it, call env.close() to finish writing the file, then show it again."
        )
    width, height = _jpeg_size(poster)
    scale = -(-MIN_SHOWN_WIDTH // width)  # small frames (Pong's 160 x 210) shown 2, 3... times as large
    label = html.escape(caption if caption is not None else video.name, quote=True)
    data = base64.b64encode(video.read_bytes()).decode("ascii")
    return HTML(
        f'<video autoplay loop muted playsinline controls width="{width * scale}" height="{height * scale}" '
        f'aria-label="{label}" poster="data:image/jpeg;base64,{base64.b64encode(poster).decode("ascii")}" '
        'style="max-width: 100%; height: auto; image-rendering: pixelated">'
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
            f'<figure style="flex: 1 1 {MIN_SHOWN_WIDTH}px; max-width: 600px; margin: 0">'
            f"{body}<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    return HTML(f'<div style="display: flex; flex-wrap: wrap; gap: 1em">{"".join(figures)}</div>')


def write_video(frames: Iterable[Any], path: str | Path, fps: float = 30) -> Path:
    """Write RGB frames (height x width x 3) to an H.264 yuv420p mp4 and return its path.

    For frames that do not come from a Gymnasium environment, such as the
    screens of an emulator driven by hand; ``show_video(path)`` embeds the
    result. Odd frame sizes are padded by one pixel, as yuv420p needs even ones.
    Frames are uint8, or floats in [0, 1] (scaled by 255); others are refused
    with a message. Frames stream to ffmpeg one at a time, so a generator of
    frames is written in constant memory.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> import numpy as np
        >>> frames = [np.full((210, 160, 3), shade, dtype=np.uint8) for shade in range(0, 250, 10)]
        >>> write_video(frames, Path(tempfile.mkdtemp()) / "fade.mp4").name
        'fade.mp4'
    """
    from .recorder import Mp4Stream

    stream = Mp4Stream(path, fps, "write_video")
    try:
        for frame in frames:
            stream.write(frame)
    finally:
        written = stream.close()
    if written is None:
        raise ValueError(f"write_video got no frames, so there is nothing to write to '{path}'.")
    return written
