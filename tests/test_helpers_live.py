"""helpers/live.py: watch_episode shows an episode live in a notebook output, then its video."""

from __future__ import annotations

import base64
import io
import re
import textwrap
from pathlib import Path

import gymnasium as gym
import PIL.Image
import pytest
from jupyter_client.manager import start_new_kernel

from conftest import ROOT, decode_video
from helpers.render import Agent, play_episode, watch_episode


def test_outside_a_notebook_it_plays_the_same_episode_as_play_episode_and_records_it(tmp_path: Path) -> None:
    env = gym.make("CartPole-v1", render_mode="rgb_array")
    watched = watch_episode(env, Agent(env, seed=3), seed=3, video_path=tmp_path / "live.mp4")
    played = play_episode(env, Agent(env, seed=3), seed=3)

    video = decode_video((tmp_path / "live.mp4").read_bytes())
    assert watched == played
    assert video.frames == watched.steps + 1 and "600x400" in video.stream and "h264" in video.stream
    assert video.seconds == pytest.approx((watched.steps + 1) / env.metadata["render_fps"], abs=0.05)


def test_it_explains_that_it_needs_rgb_array_frames(tmp_path: Path) -> None:
    env = gym.make("CartPole-v1")

    with pytest.raises(ValueError, match=r"render_mode=None.*render_mode='rgb_array'.*'CartPole-v1'"):
        watch_episode(env, Agent(env), video_path=tmp_path / "live.mp4")


def test_in_a_kernel_one_output_shows_the_frames_as_they_come_then_the_video(tmp_path: Path) -> None:
    code = f"""
        import sys; sys.path.insert(0, {str(ROOT)!r})
        import gymnasium as gym
        from helpers.render import Agent, watch_episode
        env = gym.make("MountainCar-v0", render_mode="rgb_array")
        episode = watch_episode(env, Agent(env, seed=0), seed=0, video_path={str(tmp_path / "live.mp4")!r})
        print(episode.steps)
    """
    manager, client = start_new_kernel()
    messages: list[dict] = []
    try:
        reply = client.execute_interactive(textwrap.dedent(code), output_hook=messages.append, timeout=120)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    shown = [m for m in messages if m["msg_type"] in ("display_data", "update_display_data")]
    printed = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")

    assert reply["content"]["status"] == "ok", messages
    assert printed.strip() == "200"  # MountainCar's time limit, in 200 / 30 fps = 6.7 s of watching
    assert shown[0]["msg_type"] == "display_data" and {m["msg_type"] for m in shown[1:]} == {"update_display_data"}
    assert len({m["content"]["transient"]["display_id"] for m in shown}) == 1  # all in one output
    frames = [m["content"]["data"]["image/png"] for m in shown if "image/png" in m["content"]["data"]]
    assert 30 <= len(frames) <= 200  # redrawn as the episode runs, at most 15 times a second
    first = PIL.Image.open(io.BytesIO(base64.b64decode(frames[0])))
    assert first.size == (600, 400) and first.mode == "RGB"
    assert frames[0] != frames[-1]  # the car moved
    last = shown[-1]["content"]["data"]["text/html"]
    assert re.match(r"<video [^>]*poster=\"data:image/jpeg", last) and 'aria-label="live.mp4"' in last
