"""Streaming a recording to mp4 frame by frame: one ffmpeg process per video, memory that stays flat.

Gymnasium's ``RecordVideo`` keeps every frame of a video in memory and encodes them
when the video ends, so its memory grows with the episode (about 0.7 MB a step for
480x480 frames). Here each frame goes to an ffmpeg process (imageio-ffmpeg's
``write_frames``) as soon as it is rendered, so the encoder runs on another core
while the simulation goes on and only one frame at a time is held.
``wrap_env`` and ``write_video`` in ``video.py`` are built on these two classes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np

__all__ = ["Mp4Stream", "StreamingVideoRecorder", "rgb_frame"]

# x264 settings measured in bench/: "veryfast" and one encoder thread keep ffmpeg at about 80 MB
# for 480x480 frames (the defaults: about 120 MB) for a video about 5 % larger, and one thread is
# all the encoder needs to keep up with an environment that renders.
X264_OUTPUT = ["-preset", "veryfast", "-threads", "1"]
PAD_TO_EVEN = ["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"]  # yuv420p needs even sizes


def rgb_frame(frame: Any, who: str) -> np.ndarray:
    """The frame as a contiguous uint8 array of shape (height, width, 3), or a ValueError that says why not.

    Integers must lie in 0-255; floats must lie in [0, 1] (the usual convention for
    float images) and are scaled by 255. Anything else is refused rather than
    written as a black or garbled video.

    Example:
        >>> rgb_frame(np.ones((2, 2, 3)), "write_video")[0, 0]
        array([255, 255, 255], dtype=uint8)
        >>> rgb_frame(np.full((2, 2, 3), 200.0), "write_video")
        Traceback (most recent call last):
        ...
        ValueError: write_video got a float frame with values from 200 to 200, ...
    """
    array = np.asarray(frame)
    if array.ndim != 3 or array.shape[2] != 3:
        hint = " (RGBA: drop the alpha channel with frame[..., :3])" if array.ndim == 3 and array.shape[2] == 4 else ""
        raise ValueError(f"{who} needs RGB frames of shape (height, width, 3), got {array.shape}{hint}.")
    if array.dtype == np.uint8:
        return np.ascontiguousarray(array)
    if array.size and np.issubdtype(array.dtype, np.floating):
        low, high = float(array.min()), float(array.max())
        if not (0.0 <= low and high <= 1.0):
            raise ValueError(
                f"{who} got a float frame with values from {low:g} to {high:g}, but float frames must lie in "
                "[0, 1] (they are scaled by 255). For 0-255 values pass frame.astype(np.uint8); otherwise "
                "scale the frame into [0, 1] first."
            )
        return np.ascontiguousarray(np.rint(array * 255), dtype=np.uint8)
    if array.size and np.issubdtype(array.dtype, np.integer):
        low, high = int(array.min()), int(array.max())
        if low < 0 or high > 255:
            raise ValueError(
                f"{who} got {array.dtype} frame values from {low} to {high}, outside 0-255: scale them "
                "into 0-255 and pass frame.astype(np.uint8)."
            )
        return np.ascontiguousarray(array, dtype=np.uint8)
    raise ValueError(f"{who} needs uint8 RGB frames, got dtype {array.dtype}: pass frame.astype(np.uint8).")


def writable_folder(folder: str | Path, who: str) -> Path:
    """Create ``folder`` if needed and check that files can be written in it; explain if not."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise PermissionError(
            f"{who} cannot write videos to '{folder}' ({error.strerror or error}). Pass a folder you can "
            "write to, for example one in your home directory or in tempfile.mkdtemp()."
        ) from error
    return folder


class Mp4Stream:
    """One H.264 yuv420p mp4, written frame by frame through an ffmpeg process.

    ffmpeg starts at the first frame and writes to a hidden ``.NAME.part`` file
    beside ``path``; :meth:`close` finishes the file and renames it to ``path``.
    So a file named ``path`` is always a complete video: if ffmpeg fails mid-video,
    the unfinished file is deleted and an ``OSError`` says so.

    Example:
        >>> stream = Mp4Stream(Path(tempfile.mkdtemp()) / "grey.mp4", fps=10)
        >>> for _ in range(5):
        ...     stream.write(np.full((7, 5, 3), 128, np.uint8))  # odd sizes are padded to 8x6
        >>> stream.close().name, stream.frames
        ('grey.mp4', 5)
    """

    def __init__(self, path: str | Path, fps: float, who: str = "write_video") -> None:
        if not fps > 0:
            raise ValueError(f"{who} needs a frame rate above 0, got fps={fps!r}.")
        self.path, self.fps, self.who = Path(path), fps, who
        self.partial = self.path.with_name(f".{self.path.name}.part")
        self.frames = 0
        self._shape: tuple[int, ...] | None = None
        self._writer: Any = None

    def write(self, frame: Any) -> None:
        """Check the frame (see :func:`rgb_frame`) and hand it to ffmpeg."""
        import imageio_ffmpeg

        frame = rgb_frame(frame, self.who)
        if self._writer is None:
            self._shape = frame.shape
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = imageio_ffmpeg.write_frames(
                str(self.partial),
                (frame.shape[1], frame.shape[0]),
                fps=self.fps,
                codec="libx264",
                pix_fmt_out="yuv420p",
                macro_block_size=1,
                output_params=[*PAD_TO_EVEN, *X264_OUTPUT, "-f", "mp4"],
                ffmpeg_log_level="error",
            )
            self._writer.send(None)  # starts ffmpeg
        elif frame.shape != self._shape:
            raise ValueError(
                f"{self.who} got a frame of shape {frame.shape} in a video of {self._shape} frames: every "
                "frame of a video must have the same size."
            )
        try:
            self._writer.send(frame)
        except BaseException as error:  # ffmpeg failed or was interrupted mid-frame: the file cannot be trusted
            writer, self._writer = self._writer, None
            writer.close()
            self.partial.unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise OSError(
                    f"{self.who}: ffmpeg stopped while writing '{self.path}' (out of disk space, or the process "
                    "was killed?), so the unfinished video was deleted. Check the disk and record again."
                ) from error
            raise
        self.frames += 1

    def close(self) -> Path | None:
        """Finish the video and return its path; None when no frame was written (no file then)."""
        if self._writer is None:
            return None
        writer, self._writer = self._writer, None
        writer.close()  # closes ffmpeg's input and waits for it to write the file's index
        os.replace(self.partial, self.path)
        return self.path


class StreamingVideoRecorder(gym.Wrapper[Any, Any, Any, Any]):
    """Record an environment's episodes to mp4, streaming each frame to ffmpeg as it is rendered.

    The triggers and lengths are those of Gymnasium's ``RecordVideo``: a video starts
    at reset when ``episode_trigger(episode_index)`` is true (file
    ``NAME_PREFIX-episode-N.mp4``) or after a step when ``step_trigger(step_index)``
    is true (``NAME_PREFIX-step-N.mp4``), steps counted over all episodes from 0.
    With ``video_length=0`` a video is the rest of its episode, finished when the
    episode terminates or is truncated; otherwise it has exactly ``video_length``
    frames, across episode boundaries if need be. ``close()`` finishes a video
    cut short. When the environment raises inside ``step`` or ``reset``, the
    video so far is finished too, so that it shows what led to the error.
    ``wrap_env`` in ``video.py`` is the way to make one.

    Example:
        >>> folder = tempfile.mkdtemp()
        >>> env = StreamingVideoRecorder(gym.make("CartPole-v1", render_mode="rgb_array"), folder,
        ...                              step_trigger=lambda step: step == 0, video_length=5)
        >>> _ = env.reset(seed=0)
        >>> for _ in range(10):
        ...     _ = env.step(0)
        >>> env.close()
        >>> sorted(path.name for path in Path(folder).iterdir())
        ['rl-video-step-0.mp4']
    """

    def __init__(
        self,
        env: gym.Env[Any, Any],
        video_folder: str | Path,
        *,
        episode_trigger: Callable[[int], bool] | None = None,
        step_trigger: Callable[[int], bool] | None = None,
        video_length: int = 0,
        name_prefix: str = "rl-video",
        fps: float | None = None,
    ) -> None:
        super().__init__(env)
        if not (isinstance(video_length, int) and video_length >= 0):
            raise ValueError(
                f"video_length is a number of frames, 0 for whole episodes; got video_length={video_length!r}."
            )
        self.video_folder = writable_folder(video_folder, "wrap_env")
        self.episode_trigger, self.step_trigger = episode_trigger, step_trigger
        self.video_length, self.name_prefix = video_length, name_prefix
        self.fps = fps if fps is not None else self.env.metadata.get("render_fps") or 30
        if not self.fps > 0:
            raise ValueError(f"wrap_env needs a frame rate above 0, got fps={self.fps!r}.")
        self.episode_id = self.step_id = -1
        self.stream: Mp4Stream | None = None
        self.videos: list[Path] = []  # the finished videos, in order

    @property
    def recording(self) -> bool:
        """Whether a video is being recorded now."""
        return self.stream is not None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Reset the environment; finish a whole-episode video, and start one if episode_trigger says so."""
        try:
            observation, info = self.env.reset(seed=seed, options=options)
        except BaseException:
            self.stop_recording()
            raise
        self.episode_id += 1
        if self.recording and self.video_length == 0:
            self.stop_recording()
        if self.episode_trigger and self.episode_trigger(self.episode_id):
            self.start_recording(f"{self.name_prefix}-episode-{self.episode_id}")
        self.capture_frame()
        return observation, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        """Step the environment and record its frame; start a video if step_trigger says so."""
        try:
            observation, reward, terminated, truncated, info = self.env.step(action)
        except BaseException:
            self.stop_recording()
            raise
        self.step_id += 1
        if self.step_trigger and self.step_trigger(self.step_id):
            self.start_recording(f"{self.name_prefix}-step-{self.step_id}")
        self.capture_frame()
        if (terminated or truncated) and self.video_length == 0:
            self.stop_recording()
        return observation, reward, terminated, truncated, info

    def capture_frame(self) -> None:
        """Render a frame into the current video, if one is being recorded; stop at video_length."""
        if self.stream is None:
            return
        try:
            self.stream.write(self.env.render())
        except BaseException:
            self.stop_recording()
            raise
        if self.stream.frames == self.video_length:
            self.stop_recording()

    def start_recording(self, video_name: str) -> None:
        """Start a video (finishing the one being recorded, if any)."""
        self.stop_recording()
        self.stream = Mp4Stream(self.video_folder / f"{video_name}.mp4", self.fps, "wrap_env")

    def stop_recording(self) -> None:
        """Finish the video being recorded, if any."""
        stream, self.stream = self.stream, None
        if stream is not None and (path := stream.close()) is not None:
            self.videos.append(path)

    def close(self) -> None:
        """Finish the video being recorded, if any, then close the environment."""
        try:
            self.stop_recording()
        finally:
            super().close()

    def __del__(self) -> None:
        # A recorder dropped without close() still finishes its file (ffmpeg ends on its own
        # when its input closes; this gives the file its name).
        if getattr(self, "stream", None) is not None:
            self.stop_recording()
