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


@pytest.mark.parametrize("render_mode", [None, "ansi", "human"])
def test_wrap_env_explains_that_it_needs_rgb_array_frames(tmp_path: Path, render_mode: str | None) -> None:
    with pytest.raises(ValueError, match=rf"render_mode={render_mode!r}.*render_mode='rgb_array'.*'CartPole-v1'"):
        wrap_env(gym.make("CartPole-v1", render_mode=render_mode), tmp_path)


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


@pytest.mark.parametrize("height, width, scale", [(48, 64, 5), (210, 160, 2), (240, 320, 1), (400, 600, 1)])
def test_show_video_shows_the_first_frame_as_poster_at_a_whole_multiple_of_the_videos_size(
    tmp_path: Path, height: int, width: int, scale: int
) -> None:
    html = show_video(clip(tmp_path / "grey.mp4", 100, (height, width))).data

    image = poster(html)
    assert image.size == (width, height)
    assert f'width="{width * scale}" height="{height * scale}"' in html  # at least 320 px wide, pixels kept square
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


# The streaming recorder behind wrap_env: triggers and lengths as in Gymnasium's RecordVideo.


def play_cartpole_episodes(env: gym.Env, episodes: int) -> list[int]:
    """Play seeded random CartPole episodes; return each one's number of steps."""
    agent = Agent(env, seed=0)
    return [play_episode(env, agent, seed).steps for seed in range(episodes)]


def frame_counts(folder: Path) -> dict[str, int]:
    return {path.name: decode_video(path.read_bytes()).frames for path in sorted(folder.glob("*.mp4"))}


@pytest.mark.parametrize(
    "triggers",
    [
        {"episode_trigger": lambda episode: episode % 2 == 1},
        {"step_trigger": lambda step: step % 30 == 0, "video_length": 10},
        {"step_trigger": lambda step: step % 25 == 0},
        {"episode_trigger": lambda episode: episode == 0, "video_length": 25},
    ],
    ids=["every-second-episode", "10-frame-clips-every-30-steps", "rest-of-episode-every-25-steps", "25-frames"],
)
def test_wrap_env_saves_the_videos_that_record_video_saves(tmp_path: Path, triggers: dict) -> None:
    from gymnasium.wrappers import RecordVideo

    ours = wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"), tmp_path / "ours", **triggers)
    lengths = play_cartpole_episodes(ours, 4)
    ours.close()
    theirs = RecordVideo(gym.make("CartPole-v1", render_mode="rgb_array"), str(tmp_path / "theirs"), **triggers)
    assert play_cartpole_episodes(theirs, 4) == lengths
    theirs.close()

    ours_counts, their_counts = frame_counts(tmp_path / "ours"), frame_counts(tmp_path / "theirs")
    assert list(ours_counts) == list(their_counts) and ours_counts
    # moviepy sometimes drops a video's last frame as it writes
    assert all(0 <= ours_counts[name] - their_counts[name] <= 1 for name in ours_counts), (ours_counts, their_counts)
    if length := triggers.get("video_length"):
        *full, last = ours_counts.values()  # the last clip may be cut short by close()
        assert set(full) <= {length + 1} and 0 < last <= length + 1  # the starting frame and video_length more
    elif "episode_trigger" in triggers:
        recorded = [i for i in range(4) if triggers["episode_trigger"](i)]
        assert [ours_counts[f"rl-video-episode-{i}.mp4"] for i in recorded] == [lengths[i] + 1 for i in recorded]


def test_a_video_length_clip_spans_episodes_and_stops_after_its_first_frame_and_that_many_more(tmp_path: Path) -> None:
    env = wrap_env(
        gym.make("CartPole-v1", render_mode="rgb_array"), tmp_path, step_trigger=lambda s: s == 3, video_length=40
    )
    lengths = play_cartpole_episodes(env, 4)
    env.close()

    assert lengths[0] < 40  # so the clip goes on into the next episodes
    assert frame_counts(tmp_path) == {"rl-video-step-3.mp4": 41}


def test_an_rgb_array_list_environment_gives_one_video_frame_per_rendered_step(tmp_path: Path) -> None:
    env = wrap_env(gym.make("CartPole-v1", render_mode="rgb_array_list"), tmp_path)
    [steps] = play_cartpole_episodes(env, 1)
    rendered = env.render()  # the frames since the last render(), which the recorder took
    env.close()

    assert frame_counts(tmp_path) == {"rl-video-episode-0.mp4": steps + 1} and len(rendered) == steps + 1
    [path] = tmp_path.glob("*.mp4")
    for original, frame in zip(rendered[::10], decoded_frames(path)[::10]):
        assert abs(original.astype(int) - frame[:400, :600]).mean() < 6


def test_wrap_env_takes_record_videos_arguments_in_its_order(tmp_path: Path) -> None:
    import inspect

    from gymnasium.wrappers import RecordVideo

    ours = list(inspect.signature(wrap_env).parameters.values())
    theirs = list(inspect.signature(RecordVideo.__init__).parameters.values())[1:]
    assert [(p.name, p.kind) for p in ours] == [(p.name, p.kind) for p in theirs]


def test_gc_trigger_collects_after_the_videos_whose_episodes_it_picks(tmp_path: Path) -> None:
    asked: list[int] = []
    env = wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"), tmp_path, gc_trigger=asked.append)
    play_cartpole_episodes(env, 3)
    env.close()

    assert asked == [0, 1, 2] and len(frame_counts(tmp_path)) == 3  # one question when each video ends


def test_wrap_env_refuses_disable_logger_false_and_says_why(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no moviepy progress bar.*ffmpeg, which prints only its errors"):
        wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"), tmp_path, disable_logger=False)


def test_a_whole_episode_video_is_finished_when_the_episode_ends_not_at_close(tmp_path: Path) -> None:
    env = wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"), tmp_path, name_prefix="cart")
    [steps] = play_cartpole_episodes(env, 1)

    assert frame_counts(tmp_path) == {"cart-episode-0.mp4": steps + 1}  # the reset frame, then one a step
    assert not list(tmp_path.glob(".*.part"))
    env.close()


@pytest.mark.parametrize("fps, expected", [(None, 50), (10, 10)])  # CartPole's render_fps is 50
def test_the_video_runs_at_the_environments_render_fps_unless_told(
    tmp_path: Path, fps: int | None, expected: int
) -> None:
    env = wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"), tmp_path, fps=fps)
    play_cartpole_episodes(env, 1)
    env.close()

    [path] = tmp_path.glob("*.mp4")
    video = decode_video(path.read_bytes())
    assert f"{expected} fps" in video.stream and video.seconds == pytest.approx(video.frames / expected, abs=0.05)


class Rendered(gym.Wrapper):
    """Keeps a copy of each frame the environment renders, turned by `change` into what render returns."""

    def __init__(self, env: gym.Env, change=lambda frame: frame) -> None:
        super().__init__(env)
        self.frames, self.change = [], change

    def render(self):  # noqa: D102
        frame = self.env.render()
        self.frames.append(frame.copy())
        return self.change(frame)


def decoded_frames(path: Path) -> list:
    import imageio_ffmpeg
    import numpy as np

    reader = imageio_ffmpeg.read_frames(str(path))
    width, height = next(reader)["size"]
    return [np.frombuffer(data, np.uint8).reshape(height, width, 3) for data in reader]


@pytest.mark.parametrize("change", [lambda frame: frame, lambda frame: frame / 255.0], ids=["uint8", "float-0-to-1"])
def test_the_streamed_video_shows_the_rendered_frames(tmp_path: Path, change) -> None:
    import numpy as np

    query_environment("ALE/Breakout-v5")  # registers the Atari ids
    rendered = Rendered(gym.make("ALE/Breakout-v5", render_mode="rgb_array", max_episode_steps=60), change)
    env = wrap_env(rendered, tmp_path)
    play_episode(env, Agent(env, seed=0), seed=0)
    env.close()

    [path] = tmp_path.glob("*.mp4")
    decoded = decoded_frames(path)
    assert len(decoded) == len(rendered.frames) == 61
    for original, frame in zip(rendered.frames, decoded):
        colour_error = np.abs(original.mean(axis=(0, 1)) - frame[:210, :160].mean(axis=(0, 1)))
        pixel_error = np.abs(original.astype(int) - frame[:210, :160]).mean()
        assert colour_error.max() < 2 and pixel_error < 6, (colour_error, pixel_error)


def test_an_environment_that_raises_leaves_a_finished_video_of_the_steps_before(tmp_path: Path) -> None:
    import psutil

    class Breaks(gym.Wrapper):
        steps = 0

        def step(self, action):
            self.steps += 1
            if self.steps > 5:
                raise RuntimeError("the simulator crashed")
            return self.env.step(action)

    env = wrap_env(Breaks(gym.make("CartPole-v1", render_mode="rgb_array")), tmp_path)
    env.reset(seed=0)
    with pytest.raises(RuntimeError, match="the simulator crashed"):
        for _ in range(10):
            env.step(0)

    assert frame_counts(tmp_path) == {"rl-video-episode-0.mp4": 6}  # the reset frame and 5 steps
    assert not list(tmp_path.glob(".*.part"))
    # wrap_env's encoder is a child of this process (the notebook runs' are further down: tests/host_runs.py)
    assert not [p for p in psutil.Process().children() if "ffmpeg" in p.name()]
    env.close()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda frame: frame * 1.0, "float frame with values from 0 to 255"),
        (lambda frame: frame[:, :, :2], r"shape \(height, width, 3\), got \(400, 600, 2\)"),
        (lambda frame: frame[None], r"got \(1, 400, 600, 3\)"),
        (lambda frame: frame.astype("int16") * 2, "outside 0-255"),
    ],
    ids=["float-0-to-255", "two-channels", "four-dimensions", "int16-beyond-255"],
)
def test_wrap_env_refuses_frames_it_cannot_write_faithfully(tmp_path: Path, change, message: str) -> None:
    env = wrap_env(Rendered(gym.make("CartPole-v1", render_mode="rgb_array"), change), tmp_path)

    with pytest.raises(ValueError, match=message):
        env.reset(seed=0)
    env.close()
    assert not list(tmp_path.iterdir())  # no video, not even a partial one


def test_write_video_refuses_rgba_and_a_change_of_size_and_says_what_to_do(tmp_path: Path) -> None:
    import numpy as np

    with pytest.raises(ValueError, match=re.escape("drop the alpha channel with frame[..., :3]")):
        write_video([np.zeros((8, 8, 4), np.uint8)], tmp_path / "rgba.mp4")
    frames = [np.zeros((8, 8, 3), np.uint8), np.zeros((6, 8, 3), np.uint8)]
    with pytest.raises(ValueError, match=re.escape("got a frame of shape (6, 8, 3) in a video of (8, 8, 3) frames")):
        write_video(frames, tmp_path / "sizes.mp4")
    assert [p.name for p in tmp_path.glob("*.mp4")] == ["sizes.mp4"]  # the frame before, finished


def test_wrap_env_explains_a_folder_it_cannot_write_to(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")

    with pytest.raises(PermissionError, match="wrap_env cannot write videos to .*a-file/video.*Pass a folder you can"):
        wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"), tmp_path / "a-file" / "video")


@pytest.mark.parametrize("arguments", [{"video_length": -1}, {"fps": 0}])
def test_wrap_env_refuses_a_negative_length_or_a_zero_frame_rate(tmp_path: Path, arguments: dict) -> None:
    with pytest.raises(ValueError, match="video_length is a number of frames|frame rate above 0"):
        wrap_env(gym.make("CartPole-v1", render_mode="rgb_array"), tmp_path, **arguments)


def test_show_video_says_how_to_convert_a_file_that_is_not_an_mp4(tmp_path: Path) -> None:
    (tmp_path / "clip.gif").write_bytes(b"GIF89a")

    with pytest.raises(ValueError, match=r"plays mp4 files.*ffmpeg -i .*clip.gif.* -c:v libx264 -pix_fmt yuv420p"):
        show_video(tmp_path / "clip.gif")


def test_show_video_refuses_an_mp4_too_large_to_embed_and_says_how_to_shrink_it(tmp_path: Path) -> None:
    with open(tmp_path / "huge.mp4", "wb") as file:
        file.truncate(30_000_000)

    with pytest.raises(ValueError, match=r"30 MB, too large to embed.*video_length=N.*scale=iw/2"):
        show_video(tmp_path)


def test_a_video_whose_ffmpeg_dies_is_deleted_with_a_message(tmp_path: Path) -> None:
    import numpy as np
    import psutil

    from helpers.recorder import Mp4Stream

    stream = Mp4Stream(tmp_path / "clip.mp4", fps=10)
    stream.write(np.zeros((64, 64, 3), np.uint8))
    [ffmpeg] = [p for p in psutil.Process().children() if "ffmpeg" in p.name()]
    ffmpeg.kill()
    ffmpeg.wait(5)

    with pytest.raises(OSError, match="ffmpeg stopped while writing .*clip.mp4.*unfinished video was deleted"):
        stream.write(np.zeros((64, 64, 3), np.uint8))
    assert stream.close() is None and not list(tmp_path.iterdir())
