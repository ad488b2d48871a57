"""book/many: vector environments recorded as grids, displays for many processes, and Ray tasks."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
import ray
from bs4 import BeautifulSoup

from conftest import Video, cell_output, chapter_body, embedded_videos, report


@pytest.fixture(scope="module")
def soup(built_book: Path) -> BeautifulSoup:
    return chapter_body(built_book, "book/many")


@pytest.fixture(scope="module")
def videos(soup: BeautifulSoup) -> list[Video]:
    return embedded_videos(soup)


def size(video: Video) -> str:
    return re.search(r", (\d+x\d+)", video.stream).group(1)


def test_the_page_embeds_the_grid_the_first_sub_environment_the_streamed_clip_atari_and_the_ray_grid(
    videos: list[Video],
) -> None:
    grid, first, streamed, atari, ray_grid = videos

    assert [size(video) for video in videos] == ["1200x800", "600x400", "1200x800", "320x420", "600x400"]
    assert all("h264" in video.stream and "yuv420p" in video.stream for video in videos)
    assert grid.frames in (99, 100) and first.frames in (99, 100)  # 100 steps; moviepy may drop one
    assert streamed.frames == 150  # 150 steps
    assert atari.frames == 200  # 200 steps of 4 Breakouts, from AtariVectorEnv's observations
    assert ray_grid.frames == 100  # 100 steps a task, four tasks tiled 2 x 2 at half size


def test_atari_vector_env_is_filmed_from_its_observations_where_record_video_cannot(soup: BeautifulSoup) -> None:
    made = cell_output(soup, "def atari_vector")
    assert "AtariVectorEnv observations (4, 1, 210, 160, 3)" in made and "render_mode: None" in made
    assert "RecordVideo: Render mode is None, which is incompatible with RecordVideo." in made

    table = cell_output(soup, "def ms_a_step")
    costs = re.findall(r"^(AtariVectorEnv|sync|async) +([\d.]+) ms a step +([\d.]+) ms recording$", table, re.M)
    assert [kind for kind, *_ in costs] == ["AtariVectorEnv", "sync", "async"]
    assert all(float(plain) > 0 and float(recorded) > 0 for _, plain, recorded in costs)
    assert re.findall(r"video-atari-(\w+): (\d+) frames", table) == [("AtariVectorEnv", "200"), ("sync", "200")]
    report("book/many: AtariVectorEnv beside Gymnasium's vector env, measured while building", table.splitlines())


def test_grayscale_observations_get_a_message_that_says_what_to_pass(soup: BeautifulSoup) -> None:
    shown = cell_output(soup, "grayscale_stacks = ")
    assert "ValueError: StreamingVectorRecorder(frames_from='observations') needs RGB observations" in shown
    assert "shape (4, 4, 84, 84)" in shown and "AtariVectorEnv(game, num_envs, grayscale=False)" in shown


def test_the_costs_table_shows_record_video_holding_the_clip_and_the_streaming_recorder_none(
    soup: BeautifulSoup,
) -> None:
    table = cell_output(soup, "cases = {")
    held = {name.strip(): float(mb) for name, mb in re.findall(r"^(.+?)\s+[\d.]+ ms a step\s+([\d.]+) MB", table, re.M)}

    frames_before_the_last_step = 149
    assert held == {
        "RecordVideo, 2 x 2 grid": pytest.approx(frames_before_the_last_step * 800 * 1200 * 3 / 1e6, abs=0.1),
        "RecordVideo, first only": pytest.approx(frames_before_the_last_step * 400 * 600 * 3 / 1e6, abs=0.1),
        "StreamingVectorRecorder, 2 x 2 grid": 0.0,
    }
    counted = cell_output(soup, 'for folder in ("video-cost-grid"')
    counts = dict(re.findall(r"video-cost-(grid|stream): (\d+) frames", counted))
    assert counts["stream"] == "150" and int(counts["grid"]) in (149, 150)  # moviepy may drop a last frame
    report("book/many: measured while the page was built", [*table.splitlines(), *timings(soup)])


def timings(soup: BeautifulSoup) -> list[str]:
    lines = cell_output(soup, "def seconds_per_step").splitlines()
    return [*lines, *cell_output(soup, "serial = time.perf_counter").splitlines()]


def test_workers_render_without_a_display_and_xvfb_run_a_gives_each_run_its_own(soup: BeautifulSoup) -> None:
    assert cell_output(soup, "no_display = ") == "DISPLAY: None | frames: [(400, 600, 3), (400, 600, 3)]"
    displays = re.findall(r"':(\d+)'", cell_output(soup, 'xvfb-run", "-a"'))
    assert len(displays) == 2 and len(set(displays)) == 2


def test_the_collision_of_two_xvfb_runs_shows_the_message_xvfb_run_gives_today(soup: BeautifulSoup) -> None:
    shown = cell_output(soup, "number = next")
    number = next(n for n in range(150, 200) if not Path(f"/tmp/.X{n}-lock").exists())
    first = subprocess.Popen(["xvfb-run", "-n", str(number), "sleep", "3"])
    deadline = time.monotonic() + 30
    while not Path(f"/tmp/.X{number}-lock").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    second = subprocess.run(["xvfb-run", "-n", str(number), "true"], capture_output=True, text=True)
    first.wait()

    assert second.returncode == 1 and second.stderr.strip() == "xvfb-run: error: Xvfb failed to start"
    assert f"exit status {second.returncode}\n{second.stderr.strip()}" in shown
    assert re.search(r"first xvfb-run on :\d+: exit status 0", shown)
    assert "SERVERNUM=99" in cell_output(soup, "grep")


def test_the_ray_cluster_ran_this_ray_and_was_shut_down(soup: BeautifulSoup) -> None:
    assert cell_output(soup, "ray.init(").startswith(f"Ray {ray.__version__} | CPUs in the cluster: ")
    assert "4 tasks in" in cell_output(soup, "results = ray.get")
    assert re.search(r"speed-up \d+\.\d\dx", cell_output(soup, "serial = time.perf_counter"))
    assert cell_output(soup, "ray.shutdown()") == "Ray running: False"
    assert "not executed here" in soup.get_text() and "ray start --head" in soup.get_text()
