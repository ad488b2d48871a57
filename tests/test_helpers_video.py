"""helpers/video.py: wrap_env, show_video, show_videos and write_video."""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path

import gymnasium as gym
import PIL.Image
import pytest

from conftest import decode_video
from helpers.render import (
    Agent,
    play_episode,
    query_environment,
    show_video,
    show_videos,
    wrap_env,
    write_video,
)


def test_wrap_env_records_each_episode_to_an_h264_mp4_with_one_frame_a_step(tmp_path: Path) -> None:
    env = wrap_env(gym.make("MountainCar-v0", render_mode="rgb_array"), tmp_path)
    steps = play_episode(env, Agent(env, seed=0), seed=0).steps
    env.close()

    [path] = tmp_path.glob("*.mp4")
    video = decode_video(path.read_bytes())
    assert steps == 200 and abs(video.frames - steps) <= 1
    assert "h264" in video.stream and "yuv420p" in video.stream


def test_wrap_env_records_only_the_episodes_the_trigger_picks(tmp_path: Path) -> None:
    env = wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"), tmp_path, episode_trigger=lambda i: i == 1)
    agent = Agent(env, seed=0)
    for seed in range(3):
        play_episode(env, agent, seed)
    env.close()

    assert [p.name for p in tmp_path.glob("*.mp4")] == ["rl-video-episode-1.mp4"]


def test_wrap_env_replaces_the_folders_earlier_videos(tmp_path: Path) -> None:
    (tmp_path / "rl-video-episode-7.mp4").write_bytes(b"an old recording")
    (tmp_path / "keep-me.mp4").write_bytes(b"another program's video")

    wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"), tmp_path).close()

    assert sorted(p.name for p in tmp_path.glob("*.mp4")) == ["keep-me.mp4"]


def test_wrap_env_explains_that_it_needs_rgb_array_frames(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"render_mode=None.*render_mode='rgb_array'.*'CartPole-v1'"):
        wrap_env(gym.make("CartPole-v1"), tmp_path)


def clip(path: Path, shade: int, size: tuple[int, int] = (48, 64)) -> Path:
    """A short mp4 whose first frame is a uniform grey ``shade``, growing lighter after it."""
    import numpy as np

    return write_video([np.full((*size, 3), min(shade + 8 * i, 255), np.uint8) for i in range(5)], path)


def test_show_video_embeds_the_newest_mp4_as_an_autoplaying_html5_video(tmp_path: Path) -> None:
    older, newer = clip(tmp_path / "a.mp4", 40), clip(tmp_path / "b.mp4", 200)
    os.utime(older, (1, 1))

    html = show_video(tmp_path).data

    assert re.match(r"<video autoplay loop muted playsinline controls[^>]*>", html)
    [data] = re.findall(r'src="data:video/mp4;base64,([^"]+)"', html)
    assert base64.b64decode(data) == newer.read_bytes()
    assert base64.b64decode(re.findall(r"mp4;base64,([^\"]+)", show_video(older).data)[0]) == older.read_bytes()


def poster(html: str) -> PIL.Image.Image:
    """The poster image of the one <video> in html."""
    [data] = re.findall(r'poster="data:image/jpeg;base64,([^"]+)"', html)
    return PIL.Image.open(io.BytesIO(base64.b64decode(data)))


@pytest.mark.parametrize("height, width", [(48, 64), (210, 160)])
def test_show_video_shows_the_first_frame_as_poster_at_the_videos_size(tmp_path: Path, height: int, width: int) -> None:
    html = show_video(clip(tmp_path / "grey.mp4", 100, (height, width))).data

    image = poster(html)
    assert image.size == (width, height)
    assert f'width="{width}" height="{height}"' in html
    assert all(abs(value - 100) <= 3 for value in image.convert("L").getextrema())  # the first frame, not a later one
    assert len(html) < len(base64.b64encode((tmp_path / "grey.mp4").read_bytes())) + 4_000  # a small poster


def test_show_video_labels_the_video_with_its_caption_or_file_name(tmp_path: Path) -> None:
    video = clip(tmp_path / "rl-video-episode-3.mp4", 50)

    assert 'aria-label="rl-video-episode-3.mp4"' in show_video(video).data
    assert (
        'aria-label="Random agent &lt;CartPole&gt; &quot;v1&quot;"'
        in show_video(video, 'Random agent <CartPole> "v1"').data
    )


def test_show_video_says_when_a_file_does_not_decode(tmp_path: Path) -> None:
    (tmp_path / "half-written.mp4").write_bytes(b"not an mp4 yet")

    notice = show_video(tmp_path)

    assert "half-written.mp4' is not an mp4 that ffmpeg can decode" in repr(notice)
    assert "env.close()" in repr(notice)


@pytest.mark.parametrize("where", ["empty-folder", "no-such-folder", "no-such-file.mp4"])
def test_show_video_says_how_to_record_when_there_is_no_video(tmp_path: Path, where: str) -> None:
    (tmp_path / "empty-folder").mkdir()

    notice = show_video(tmp_path / where)

    assert str(tmp_path / where) in repr(notice)
    assert "No mp4 video" in repr(notice) and "wrap_env" in repr(notice) and "env.close()" in repr(notice)
    assert "<strong>No mp4 video" in notice._repr_html_()


@pytest.mark.parametrize("env_id", ["ALE/Breakout-v5", "SpaceInvadersNoFrameskip-v4"])
def test_wrap_env_records_atari_games_at_their_screen_size(tmp_path: Path, env_id: str) -> None:
    query_environment(env_id)  # registers the Atari ids and quiets ALE, as in the chapter
    env = wrap_env(gym.make(env_id, render_mode="rgb_array"), tmp_path)
    agent = Agent(env, seed=0)
    state, _ = env.reset(seed=0)
    for _ in range(40):
        state, *_ = env.step(agent.get_action(state))
    env.close()  # ends the recording mid-episode

    [path] = tmp_path.glob("*.mp4")
    video = decode_video(path.read_bytes())
    assert abs(video.frames - 41) <= 1 and "160x210" in video.stream and "h264" in video.stream


@pytest.mark.parametrize("height, width", [(210, 160), (5, 7)])
def test_write_video_writes_one_h264_frame_per_image_at_even_size(tmp_path: Path, height: int, width: int) -> None:
    import numpy as np

    frames = (np.full((height, width, 3), shade, dtype=np.uint8) for shade in range(0, 240, 8))

    path = write_video(frames, tmp_path / "sub" / "clip.mp4", fps=30)

    video = decode_video(path.read_bytes())
    assert video.frames == 30 and abs(video.seconds - 1.0) < 0.05
    assert "h264" in video.stream and "yuv420p" in video.stream
    assert f"{width + width % 2}x{height + height % 2}" in video.stream
    assert "<video" in str(show_video(path).data)


@pytest.mark.parametrize("frames, message", [([], "got no frames"), ([[[1, 2, 3]]], "shape (height, width, 3)")])
def test_write_video_says_what_is_wrong_with_its_frames(tmp_path: Path, frames: list, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        write_video(frames, tmp_path / "clip.mp4")


def test_show_videos_embeds_each_video_in_order_under_its_escaped_caption(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    a, b = clip(tmp_path / "a" / "x.mp4", 30), clip(tmp_path / "b.mp4", 220)

    html = show_videos([tmp_path / "a", b, tmp_path / "missing"], ["a <1>", "b", "c"]).data

    videos = [base64.b64decode(data) for data in re.findall(r"mp4;base64,([^\"]+)", html)]
    assert videos == [a.read_bytes(), b.read_bytes()]
    assert re.findall(r"<figcaption>(.*?)</figcaption>", html) == ["a &lt;1&gt;", "b", "c"]
    assert re.findall(r'aria-label="([^"]*)"', html) == ["a &lt;1&gt;", "b"]
    assert html.count("<figure") == 3 and "No mp4 video" in html


def test_show_videos_wants_one_caption_a_video(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2 videos but 1 captions"):
        show_videos([tmp_path, tmp_path], ["only one"])
