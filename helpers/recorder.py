"""Streaming a recording to mp4 frame by frame: one ffmpeg process per video, memory that stays flat.

Gymnasium's ``RecordVideo`` keeps every frame of a video in memory and encodes them
when the video ends, so its memory grows with the episode (about 0.7 MB a step for
480x480 frames). Here each frame goes to an ffmpeg process (imageio-ffmpeg's
``write_frames``) as soon as it is rendered, so the encoder runs on another core
while the simulation goes on and only one frame at a time is held.
``wrap_env`` and ``write_video`` in ``video.py`` are built on these classes, and
``StreamingVectorRecorder`` does the same for a vector environment, tiling its
sub-environments' frames into one video as Gymnasium's vector ``RecordVideo`` does.
"""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, SupportsFloat

import gymnasium as gym
import numpy as np

__all__ = [
    "Mp4Stream",
    "StreamingVectorRecorder",
    "StreamingVideoRecorder",
    "observation_frames",
    "rgb_frame",
    "tile_frames",
]

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


class VideoRecording:
    """What both recorders share: triggers, lengths, and one :class:`Mp4Stream` at a time.

    A recorder calls :meth:`setup_recording` in its ``__init__``, :meth:`new_episode`
    and :meth:`new_step` when an episode or a step begins, and :meth:`capture_frame`
    after each; :meth:`frame` says what one frame of its video is.
    """

    who: str
    stream: Mp4Stream | None

    def setup_recording(
        self,
        video_folder: str | Path,
        who: str,
        episode_trigger: Callable[[int], bool] | None,
        step_trigger: Callable[[int], bool] | None,
        video_length: int,
        name_prefix: str,
        fps: float | None,
        render_fps: float | None,
        disable_logger: bool = True,
        gc_trigger: Callable[[int], bool] | None = None,
    ) -> None:
        """Check the arguments and set the recorder up; nothing is recorded yet."""
        if not (isinstance(video_length, int) and video_length >= 0):
            raise ValueError(
                f"video_length is a number of frames, 0 for whole episodes; got video_length={video_length!r}."
            )
        if not disable_logger:
            raise ValueError(
                f"{who} has no moviepy progress bar to turn on with disable_logger=False: it streams each "
                "frame to ffmpeg, which prints only its errors. Leave disable_logger at True."
            )
        self.who, self.gc_trigger = who, gc_trigger
        self.video_folder = writable_folder(video_folder, who)
        self.episode_trigger, self.step_trigger = episode_trigger, step_trigger
        self.video_length, self.name_prefix = video_length, name_prefix
        self.fps = fps if fps is not None else render_fps or 30
        if not self.fps > 0:
            raise ValueError(f"{who} needs a frame rate above 0, got fps={self.fps!r}.")
        self.episode_id = self.step_id = -1
        self.stream = None
        self.videos: list[Path] = []  # the finished videos, in order
        self.video_frames: list[int] = []  # how many frames each of them has

    def frame(self) -> Any:
        """One frame of the video, rendered now; None when there is none to add."""
        raise NotImplementedError

    @property
    def recording(self) -> bool:
        """Whether a video is being recorded now."""
        return self.stream is not None

    def new_episode(self) -> None:
        """Count an episode; finish a whole-episode video, and start one if episode_trigger says so."""
        self.episode_id += 1
        if self.recording and self.video_length == 0:
            self.stop_recording()
        if self.episode_trigger and self.episode_trigger(self.episode_id):
            self.start_recording(f"{self.name_prefix}-episode-{self.episode_id}")

    def new_step(self) -> None:
        """Count a step; start a video if step_trigger says so."""
        self.step_id += 1
        if self.step_trigger and self.step_trigger(self.step_id):
            self.start_recording(f"{self.name_prefix}-step-{self.step_id}")

    def capture_frame(self) -> None:
        """Render a frame into the current video, if one is being recorded; stop past video_length.

        As in Gymnasium's ``RecordVideo``, a clip ends once it holds more than
        ``video_length`` frames: the frame that starts it and ``video_length`` more.
        """
        if self.stream is None:
            return
        try:
            frame = self.frame()
            if frame is not None:
                self.stream.write(frame)
        except BaseException:
            self.stop_recording()
            raise
        if self.video_length and self.stream.frames > self.video_length:
            self.stop_recording()

    def start_recording(self, video_name: str) -> None:
        """Start a video (finishing the one being recorded, if any)."""
        self.stop_recording()
        self.stream = Mp4Stream(self.video_folder / f"{video_name}.mp4", self.fps, self.who)

    def stop_recording(self) -> None:
        """Finish the video being recorded, if any."""
        stream, self.stream = self.stream, None
        if stream is not None and (path := stream.close()) is not None:
            self.videos.append(path)
            self.video_frames.append(stream.frames)
        if stream is not None and self.gc_trigger and self.gc_trigger(self.episode_id):
            gc.collect()

    def __del__(self) -> None:
        # A recorder dropped without close() still finishes its file (ffmpeg ends on its own
        # when its input closes; this gives the file its name).
        if getattr(self, "stream", None) is not None:
            self.stop_recording()


class StreamingVideoRecorder(VideoRecording, gym.Wrapper[Any, Any, Any, Any]):
    """Record an environment's episodes to mp4, streaming each frame to ffmpeg as it is rendered.

    The triggers and lengths are those of Gymnasium's ``RecordVideo``: a video starts
    at reset when ``episode_trigger(episode_index)`` is true (file
    ``NAME_PREFIX-episode-N.mp4``) or after a step when ``step_trigger(step_index)``
    is true (``NAME_PREFIX-step-N.mp4``), steps counted over all episodes from 0.
    With ``video_length=0`` a video is the rest of its episode, finished when the
    episode terminates or is truncated; otherwise it ends once it has more than
    ``video_length`` frames (the starting frame and ``video_length`` more, as
    ``RecordVideo`` counts), across episode boundaries if need be. ``close()``
    finishes a video cut short. When the environment raises inside ``step`` or
    ``reset``, the video so far is finished too, so that it shows what led to the
    error. With ``render_mode="rgb_array_list"`` each ``render()`` gives the frames
    since the last call: the newest one goes into the video, and the wrapper's own
    ``render()`` still returns all of them, as ``RecordVideo``'s does.
    ``gc_trigger(episode_index)`` runs ``gc.collect()`` after a video ends, as in
    ``RecordVideo`` (whose default collects after every video; here the default is
    never, as no frames are held). ``wrap_env`` in ``video.py`` is the way to make one.

    Example:
        >>> folder = tempfile.mkdtemp()
        >>> env = StreamingVideoRecorder(gym.make("CartPole-v1", render_mode="rgb_array"), folder,
        ...                              step_trigger=lambda step: step == 0, video_length=5)
        >>> _ = env.reset(seed=0)
        >>> for _ in range(10):
        ...     _ = env.step(0)
        >>> env.close()
        >>> [(path.name, frames) for path, frames in zip(env.videos, env.video_frames)]
        [('rl-video-step-0.mp4', 6)]
    """

    def __init__(
        self,
        env: gym.Env[Any, Any],
        video_folder: str | Path,
        episode_trigger: Callable[[int], bool] | None = None,
        step_trigger: Callable[[int], bool] | None = None,
        video_length: int = 0,
        name_prefix: str = "rl-video",
        fps: float | None = None,
        disable_logger: bool = True,
        gc_trigger: Callable[[int], bool] | None = None,
    ) -> None:
        super().__init__(env)
        self.setup_recording(
            video_folder,
            "wrap_env",
            episode_trigger,
            step_trigger,
            video_length,
            name_prefix,
            fps,
            self.env.metadata.get("render_fps"),
            disable_logger,
            gc_trigger,
        )
        self.render_history: list[Any] = []  # rgb_array_list frames taken for the video, not yet returned

    def frame(self) -> Any:
        """The environment's frame (with ``rgb_array_list``, the newest of those since the last render)."""
        rendered = self.env.render()
        if isinstance(rendered, list):
            self.render_history += rendered
            return rendered[-1] if rendered else None
        return rendered

    def render(self) -> Any:
        """The environment's render; with ``rgb_array_list``, also the frames the recorder took since the last call."""
        rendered = self.env.render()
        if self.render_history and isinstance(rendered, list):
            history, self.render_history = self.render_history, []
            return history + rendered
        return rendered

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Reset the environment; finish a whole-episode video, and start one if episode_trigger says so."""
        try:
            observation, info = self.env.reset(seed=seed, options=options)
        except BaseException:
            self.stop_recording()
            raise
        self.new_episode()
        self.capture_frame()
        return observation, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        """Step the environment and record its frame; start a video if step_trigger says so."""
        try:
            observation, reward, terminated, truncated, info = self.env.step(action)
        except BaseException:
            self.stop_recording()
            raise
        self.new_step()
        self.capture_frame()
        if (terminated or truncated) and self.video_length == 0:
            self.stop_recording()
        return observation, reward, terminated, truncated, info

    def close(self) -> None:
        """Finish the video being recorded, if any, then close the environment."""
        try:
            self.stop_recording()
        finally:
            super().close()


def tile_frames(frames: Sequence[Any], aspect_ratio: tuple[int, int] = (1, 1)) -> np.ndarray:
    """Tile equal-sized frames into one, in the grid Gymnasium's vector ``RecordVideo`` picks.

    The grid has ``rows x columns == len(frames)`` (rows at most columns) and the
    aspect ratio (width, height) closest to ``aspect_ratio``; frames fill it row by row.
    So 4 CartPole frames (600 wide, 400 high) make a 2x2 grid at (1, 1) and a row of
    4 at (4, 1); a prime number of frames always makes one row.

    Example:
        >>> frames = [np.full((400, 600, 3), shade, np.uint8) for shade in (0, 80, 160, 240)]
        >>> tile_frames(frames).shape, tile_frames(frames, (4, 1)).shape
        ((800, 1200, 3), (400, 2400, 3))
        >>> int(tile_frames(frames)[400:, :600].max())  # the third frame, first on the second row
        160
    """
    arrays = [rgb_frame(frame, "tile_frames") for frame in frames]
    if not arrays:
        raise ValueError("tile_frames got no frames: pass one frame per sub-environment.")
    if len({array.shape for array in arrays}) > 1:
        raise ValueError(
            f"tile_frames needs frames of one size, got {sorted({a.shape for a in arrays})}: make every "
            "sub-environment render at the same width and height."
        )
    count, (height, width, _) = len(arrays), arrays[0].shape
    target = aspect_ratio[0] / aspect_ratio[1]
    divisors = [rows for rows in range(1, int(count**0.5) + 1) if count % rows == 0]
    rows = min(divisors, key=lambda r: abs((count // r) * width / (r * height) - target))
    columns = count // rows
    return np.concatenate(
        [np.concatenate(arrays[row * columns : (row + 1) * columns], axis=1) for row in range(rows)], axis=0
    )


def observation_frames(observations: Any, who: str = "StreamingVectorRecorder") -> np.ndarray:
    """One RGB frame per sub-environment from a batch of image observations, or a ValueError that says why not.

    The batch is ``(num_envs, height, width, 3)``, or ``(num_envs, stack, height,
    width, 3)`` for stacked frames (ale-py's ``AtariVectorEnv(grayscale=False)``),
    of which the newest of each stack is taken. Grayscale observations (no axis of 3
    colours at the end) are refused: their grey levels are not a frame.

    Example:
        >>> observation_frames(np.zeros((4, 1, 210, 160, 3), np.uint8)).shape  # 4 Atari screens, stack of 1
        (4, 210, 160, 3)
        >>> observation_frames(np.zeros((4, 4, 84, 84), np.uint8))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: StreamingVectorRecorder(frames_from='observations') needs RGB observations...
    """
    array = np.asarray(observations)
    if array.ndim not in (4, 5) or array.shape[-1] != 3 or array.dtype != np.uint8:
        raise ValueError(
            f"{who}(frames_from='observations') needs RGB observations, uint8 of shape (num_envs, height, "
            f"width, 3) or stacked (num_envs, stack, height, width, 3); these are {array.dtype} of shape "
            f"{array.shape}. Grayscale or stacked grayscale frames are not a video: make the environment "
            "observe RGB, for ale-py AtariVectorEnv(game, num_envs, grayscale=False) (img_height=210, "
            "img_width=160 for the full screen), or record with render() from a Gymnasium vector env."
        )
    return array[:, -1] if array.ndim == 5 else array


class StreamingVectorRecorder(VideoRecording, gym.vector.VectorWrapper):
    """Record a vector environment to mp4: its sub-environments tiled into one video, streamed to ffmpeg.

    A stand-in for ``gymnasium.wrappers.vector.RecordVideo`` with the same arguments,
    whose memory stays flat: each tiled frame (:func:`tile_frames`) goes to ffmpeg as
    it is rendered instead of being kept until the video ends. ``record_first_only=True``
    films sub-environment 0 alone. Episodes are those of sub-environment 0, as in
    Gymnasium: ``episode_trigger(i)`` starts a video when its episode ``i`` begins,
    ``step_trigger(i)`` after vector step ``i``. Without a trigger every episode is
    recorded (Gymnasium: episodes 0, 1, 8, 27, ... then every 1000th). A
    ``video_length`` clip ends once it has more than ``video_length`` frames, as
    Gymnasium counts; 0 means until sub-environment 0's episode ends.
    ``disable_logger`` and ``gc_trigger`` mean what they mean for :class:`StreamingVideoRecorder`.

    ``frames_from="observations"`` films the observations instead of ``render()``:
    for vector environments that cannot render, such as ale-py's ``AtariVectorEnv``
    (C++, no ``render``), when they observe RGB images (see :func:`observation_frames`).

    Example:
        >>> folder = tempfile.mkdtemp()
        >>> envs = gym.make_vec("CartPole-v1", num_envs=4, render_mode="rgb_array")
        >>> envs = StreamingVectorRecorder(envs, folder, step_trigger=lambda step: step == 0, video_length=5)
        >>> _ = envs.reset(seed=0)
        >>> for _ in range(10):
        ...     _ = envs.step(envs.action_space.sample())
        >>> envs.close()
        >>> envs.video_frames, envs.frame_shape  # 6 frames of 2x2 CartPoles of 400x600
        ([6], (800, 1200, 3))
    """

    def __init__(
        self,
        env: gym.vector.VectorEnv[Any, Any, Any],
        video_folder: str | Path,
        video_aspect_ratio: tuple[int, int] = (1, 1),
        record_first_only: bool = False,
        *,
        episode_trigger: Callable[[int], bool] | None = None,
        step_trigger: Callable[[int], bool] | None = None,
        video_length: int = 0,
        name_prefix: str = "rl-video",
        fps: float | None = None,
        disable_logger: bool = True,
        gc_trigger: Callable[[int], bool] | None = None,
        frames_from: Literal["render", "observations"] = "render",
    ) -> None:
        super().__init__(env)
        if frames_from == "observations":
            shape = env.single_observation_space.shape or ()
            observation_frames(np.zeros((env.num_envs, *shape), env.single_observation_space.dtype))  # or why not
        elif frames_from != "render":
            raise ValueError(f"frames_from is 'render' or 'observations', got {frames_from!r}.")
        elif env.render_mode != "rgb_array":
            raise ValueError(
                f"StreamingVectorRecorder needs sub-environments that render frames, but their render_mode is "
                f"{env.render_mode!r}. Make them with render_mode='rgb_array', for example "
                f"gym.make_vec({env.spec.id if env.spec else 'env_id'!r}, num_envs={env.num_envs}, "
                "render_mode='rgb_array'), or film RGB observations with frames_from='observations'."
            )
        if episode_trigger is None and step_trigger is None:
            episode_trigger = lambda episode: True  # noqa: E731
        self.setup_recording(
            video_folder,
            "StreamingVectorRecorder",
            episode_trigger,
            step_trigger,
            video_length,
            name_prefix,
            fps,
            env.metadata.get("render_fps"),
            disable_logger,
            gc_trigger,
        )
        self.video_aspect_ratio, self.record_first_only = video_aspect_ratio, record_first_only
        self.frames_from, self.observations = frames_from, None
        self.autoreset_mode = env.metadata.get("autoreset_mode", gym.vector.AutoresetMode.NEXT_STEP)
        self.first_env_ended = False  # sub-environment 0 ended last step: with next-step autoreset, it resets now
        self.frame_shape: tuple[int, ...] | None = None  # of the tiled frames, once one is rendered

    def frame(self) -> np.ndarray:
        """The sub-environments' frames, tiled (or sub-environment 0's alone)."""
        if self.frames_from == "observations":
            frames = list(observation_frames(self.observations))
        else:
            frames = self.env.render()
        tiled = tile_frames(frames[:1] if self.record_first_only else frames, self.video_aspect_ratio)
        self.frame_shape = tiled.shape
        return tiled

    def reset(
        self, *, seed: int | list[int] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """Reset the sub-environments; sub-environment 0's reset begins an episode."""
        # read before resetting: the vector environment may take "reset_mask" out of the options
        first_resets = options is None or "reset_mask" not in options or bool(options["reset_mask"][0])
        try:
            observations, info = self.env.reset(seed=seed, options=options)
        except BaseException:
            self.stop_recording()
            raise
        self.observations = observations
        if first_resets:
            self.new_episode()
        self.first_env_ended = False
        self.capture_frame()
        return observations, info

    def step(self, actions: Any) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Step the sub-environments and record the tiled frame; count sub-environment 0's episodes."""
        try:
            observations, rewards, terminations, truncations, info = self.env.step(actions)
        except BaseException:
            self.stop_recording()
            raise
        self.observations = observations
        first_ended = bool(terminations[0] or truncations[0])
        if self.autoreset_mode == gym.vector.AutoresetMode.NEXT_STEP:
            if self.first_env_ended:
                self.new_episode()
            self.first_env_ended = first_ended
        elif self.autoreset_mode == gym.vector.AutoresetMode.SAME_STEP and first_ended:
            self.new_episode()
        self.new_step()
        self.capture_frame()
        return observations, rewards, terminations, truncations, info

    def close(self, **kwargs: Any) -> None:
        """Finish the video being recorded, if any, then close the sub-environments."""
        try:
            self.stop_recording()
        finally:
            super().close(**kwargs)
