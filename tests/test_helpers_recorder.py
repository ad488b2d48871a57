"""helpers/recorder.py: tile_frames and StreamingVectorRecorder, held to Gymnasium's vector RecordVideo.

Gymnasium's own tests of its vector wrapper run with ours in test_vendored_record_video.py.
The cases here run Gymnasium's wrapper beside ours and compare the videos, frame by frame
count; and they film what Gymnasium's wrapper cannot: observations of ale-py's AtariVectorEnv.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.wrappers.vector import RecordVideo

from conftest import decode_video
from helpers.render import StreamingVectorRecorder, tile_frames


def cartpoles(num_envs: int, mode: str = "sync") -> gym.vector.VectorEnv:
    return gym.make_vec("CartPole-v1", num_envs=num_envs, vectorization_mode=mode, render_mode="rgb_array")


def play(envs: Any, steps: int, reset_on_end: bool = True) -> int:
    """Gymnasium's test loop: seeded random actions, a reset whenever any sub-environment ends.

    Returns how many times it reset after the first.
    """
    envs.reset(seed=123)
    envs.action_space.seed(123)
    resets = 0
    for _ in range(steps):
        _, _, terminated, truncated, _ = envs.step(envs.action_space.sample())
        if reset_on_end and (np.any(terminated) or np.any(truncated)):
            envs.reset()
            resets += 1
    envs.close()
    return resets


def frame_counts(folder: Path) -> dict[str, int]:
    return {path.name: decode_video(path.read_bytes()).frames for path in sorted(folder.glob("*.mp4"))}


@pytest.mark.parametrize("count", range(1, 11))
@pytest.mark.parametrize("aspect_ratio", [(1, 1), (16, 9), (1, 3)])
def test_tile_frames_makes_the_grid_that_gymnasiums_vector_record_video_makes(
    count: int, aspect_ratio: tuple[int, int], tmp_path: Path
) -> None:
    frames = list(np.random.default_rng(count).integers(0, 256, (count, 40, 60, 3), dtype=np.uint8))
    theirs = RecordVideo(cartpoles(1), str(tmp_path / "videos"), video_aspect_ratio=aspect_ratio)
    theirs._get_concat_frame_shape(count, 40, 60)

    assert np.array_equal(tile_frames(frames, aspect_ratio), theirs._concat_frames(frames))
    theirs.close()


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        ([], "tile_frames got no frames"),
        ([np.zeros((4, 6, 3), np.uint8), np.zeros((4, 8, 3), np.uint8)], r"frames of one size.*same width"),
        ([np.zeros((4, 6, 4), np.uint8)], r"RGB frames .*drop the alpha channel"),
    ],
)
def test_tile_frames_says_what_is_wrong_with_its_frames(frames: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        tile_frames(frames)


def test_video_folder_and_file_names_are_gymnasiums(tmp_path: Path) -> None:
    triggers: dict[str, Callable[[int], bool]] = {
        "episode_trigger": lambda x: x in [1, 4],
        "step_trigger": lambda x: x in [0, 25],
    }
    play(StreamingVectorRecorder(cartpoles(3), tmp_path / "ours", name_prefix="video-prefix", **triggers), 100)
    play(RecordVideo(cartpoles(3), str(tmp_path / "theirs"), name_prefix="video-prefix", **triggers), 100)

    ours, theirs = frame_counts(tmp_path / "ours"), frame_counts(tmp_path / "theirs")
    assert set(ours) == {
        "video-prefix-step-0.mp4",
        "video-prefix-step-25.mp4",
        "video-prefix-episode-1.mp4",
        "video-prefix-episode-4.mp4",
    }
    assert set(ours) == set(theirs)
    # moviepy sometimes drops a video's last frame
    assert all(0 <= ours[name] - theirs[name] <= 1 for name in ours), (ours, theirs)


@pytest.mark.parametrize("episode_trigger", [None, lambda x: x in [0, 3, 5, 10, 12]], ids=["default", "chosen"])
def test_episode_trigger_makes_one_video_an_episode_it_picks(
    tmp_path: Path, episode_trigger: Callable[[int], bool] | None
) -> None:
    envs = StreamingVectorRecorder(cartpoles(3), tmp_path, episode_trigger=episode_trigger)
    episodes = play(envs, 199) + 1

    assert envs.episode_trigger is not None
    picked = [f"rl-video-episode-{i}.mp4" for i in range(episodes) if envs.episode_trigger(i)]
    assert sorted(p.name for p in tmp_path.glob("*.mp4")) == sorted(picked) and picked


def test_video_length_counts_as_gymnasium_counts_the_first_frame_and_that_many_more(tmp_path: Path) -> None:
    for recorder, folder in ((StreamingVectorRecorder, tmp_path / "ours"), (RecordVideo, str(tmp_path / "theirs"))):
        play(recorder(cartpoles(3), folder, step_trigger=lambda x: x == 0, video_length=10), 15, reset_on_end=False)

    ours, theirs = frame_counts(tmp_path / "ours"), frame_counts(tmp_path / "theirs")
    assert ours == {"rl-video-step-0.mp4": 11}
    assert 0 <= ours["rl-video-step-0.mp4"] - theirs["rl-video-step-0.mp4"] <= 1  # moviepy may drop the last frame


@pytest.mark.parametrize(
    ("num_envs", "options", "size"),
    [
        (4, {}, "1200x800"),  # 2x2 CartPoles of 600x400
        (4, {"video_aspect_ratio": (4, 1)}, "2400x400"),  # one row
        (6, {}, "1800x800"),  # 2x3
        (4, {"record_first_only": True}, "600x400"),  # sub-environment 0 alone
    ],
)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_whole_episode_video_tiles_the_sub_environments_one_frame_a_step(
    tmp_path: Path, num_envs: int, options: dict, size: str, mode: str
) -> None:
    envs = StreamingVectorRecorder(cartpoles(num_envs, mode), tmp_path, **options)
    envs.reset(seed=0)
    steps, first_ended = 0, False
    while not first_ended:
        _, _, terminated, truncated, _ = envs.step(np.zeros(num_envs, dtype=np.int64))
        steps, first_ended = steps + 1, bool(terminated[0] or truncated[0])
    assert envs.recording  # sub-environment 0's next step begins its next episode
    envs.step(np.zeros(num_envs, dtype=np.int64))
    envs.close()

    [video] = [decode_video(path.read_bytes()) for path in tmp_path.glob("rl-video-episode-0.mp4")]
    assert video.frames == steps + 1  # the reset frame, then one a step
    assert f" {size}" in video.stream and "h264" in video.stream


def test_it_explains_that_it_needs_rgb_array_frames(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError, match=r"render_mode is None.*gym.make_vec\('CartPole-v1', num_envs=2, render_mode.*'observations'"
    ):
        StreamingVectorRecorder(gym.make_vec("CartPole-v1", num_envs=2), tmp_path)


def atari_vector(num_envs: int = 4, **options: Any) -> gym.vector.VectorEnv:
    from ale_py.vector_env import AtariVectorEnv

    return AtariVectorEnv("breakout", num_envs, num_threads=1, **options)


def test_an_atari_vector_env_is_filmed_from_its_rgb_observations(tmp_path: Path) -> None:
    import imageio_ffmpeg

    envs = StreamingVectorRecorder(
        atari_vector(grayscale=False, stack_num=1, img_height=210, img_width=160),
        tmp_path,
        step_trigger=lambda step: step == 0,
        video_length=20,
        frames_from="observations",
    )
    assert envs.render_mode is None  # it cannot render
    envs.reset(seed=0)
    envs.action_space.seed(0)
    observed = []
    for _ in range(25):
        observations, *_ = envs.step(envs.action_space.sample())
        observed.append(observations[:, 0])
    envs.close()

    assert frame_counts(tmp_path) == {"rl-video-step-0.mp4": 21} and envs.frame_shape == (420, 320, 3)
    reader = imageio_ffmpeg.read_frames(str(tmp_path / "rl-video-step-0.mp4"))
    width, height = next(reader)["size"]
    for screens, data in zip(observed, reader):
        frame = np.frombuffer(data, np.uint8).reshape(height, width, 3).astype(int)
        assert np.abs(frame - tile_frames(list(screens))).mean() < 6


@pytest.mark.parametrize(
    ("options", "shape"),
    [({}, r"\(4, 4, 84, 84\)"), ({"stack_num": 1, "img_height": 210, "img_width": 160}, r"\(4, 1, 210, 160\)")],
    ids=["stacked-grayscale", "grayscale"],
)
def test_grayscale_observations_are_refused_saying_what_to_pass(tmp_path: Path, options: dict, shape: str) -> None:
    envs = atari_vector(**options)
    with pytest.raises(ValueError, match=rf"needs RGB observations.*these are uint8 of shape {shape}.*grayscale=False"):
        StreamingVectorRecorder(envs, tmp_path, frames_from="observations")
    envs.close()


def test_gymnasiums_atari_vector_env_is_filmed_from_observations_as_from_render(tmp_path: Path) -> None:
    import ale_py

    gym.register_envs(ale_py)
    for frames_from, folder in (("render", tmp_path / "render"), ("observations", tmp_path / "observations")):
        envs = gym.make_vec("ALE/Breakout-v5", num_envs=2, render_mode="rgb_array", vectorization_mode="sync")
        play(StreamingVectorRecorder(envs, folder, step_trigger=lambda x: x == 0, frames_from=frames_from), 30, False)

    assert frame_counts(tmp_path / "render") == frame_counts(tmp_path / "observations") == {"rl-video-step-0.mp4": 30}
    assert (tmp_path / "render" / "rl-video-step-0.mp4").read_bytes() == (
        tmp_path / "observations" / "rl-video-step-0.mp4"
    ).read_bytes()
