"""book/video: recorded episodes play in the page, and when a display is needed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import gymnasium as gym
import PIL.Image
import pytest
from bs4 import BeautifulSoup

from conftest import Video, chapter_body, embedded_videos

EMBEDDED_LIMIT = 500_000  # bytes of page a 200-step classic-control episode may take


@pytest.fixture(scope="module")
def soup(built_book: Path) -> BeautifulSoup:
    return chapter_body(built_book, "book/video")


def videos_with_their_steps(soup: BeautifulSoup) -> list[tuple[Video, int]]:
    """Each embedded video, with the step count that the page printed last before it."""
    pairs, steps = [], None
    for cell in soup.select("div.cell"):
        for output in cell.select("div.cell_output"):
            if found := re.findall(r"after (\d+) steps", output.get_text()):
                steps = int(found[-1])
        for video in embedded_videos(cell):
            assert steps is not None, "a video with no step count printed before it"
            pairs.append((video, steps))
    return pairs


def test_every_video_decodes_to_one_frame_per_step_of_its_episode(soup: BeautifulSoup) -> None:
    pairs = videos_with_their_steps(soup)

    assert len(pairs) >= 3
    for video, steps in pairs:
        assert abs(video.frames - steps) <= 1, (video, steps)


def test_the_first_video_is_the_random_mountaincar_episode_cut_at_its_time_limit(soup: BeautifulSoup) -> None:
    video, steps = videos_with_their_steps(soup)[0]

    assert steps == gym.spec("MountainCar-v0").max_episode_steps
    assert video.seconds == pytest.approx(steps / gym.make("MountainCar-v0").metadata["render_fps"], abs=0.1)
    assert "terminated=False, truncated=True" in soup.get_text()


def test_videos_are_h264_yuv420p_and_small_enough_to_embed(soup: BeautifulSoup) -> None:
    for video, steps in videos_with_their_steps(soup):
        assert re.search(r"Video: h264 \((High|Main|Constrained Baseline)\)", video.stream), video.stream
        assert "yuv420p" in video.stream and "600x400" in video.stream  # the classic-control frame size
        embedded = (video.size + 2) // 3 * 4  # base64 length
        assert embedded < EMBEDDED_LIMIT * max(1, steps / 200), (embedded, steps)


def test_the_trigger_records_only_some_of_the_episodes(soup: BeautifulSoup) -> None:
    text = soup.get_text()
    every = re.findall(r"(rl-video-episode-\d+\.mp4): [\d.]+ kB", text)
    lengths = ast.literal_eval(re.search(r"steps per episode: (\[[\d, ]+\])", text).group(1))
    recorded = ast.literal_eval(re.search(r"recorded: (\[[^\]]*\])", text).group(1))

    assert len(every) == len(lengths) >= 3
    assert recorded and set(recorded) < set(every)
    shown = int(re.search(r"Episode (\d+) ended after (\d+) steps", text).group(1))
    assert f"rl-video-episode-{shown}.mp4" in recorded


def test_the_page_shows_when_a_display_is_needed(soup: BeautifulSoup) -> None:
    text = soup.get_text()

    assert "DISPLAY there: None" in text
    assert "frame: (400, 600, 3) uint8 | window: None" in text
    assert "human mode without a display, pygame's video driver: offscreen" in text
    assert "pygame.error: x11 not available" in text
    assert re.search(r"pygame's video driver: x11, on display :\d+", text)


def test_the_screenshot_shows_the_human_mode_window_on_the_virtual_display(
    built_book: Path, soup: BeautifulSoup
) -> None:
    [cell] = [cell for cell in soup.select("div.cell") if "video driver: x11" in cell.get_text()]
    [image] = cell.select("div.cell_output img")

    picture = PIL.Image.open(built_book / "book" / image["src"]).convert("L")
    width, height = picture.size
    assert width <= 800 and abs(width / height - 1400 / 900) < 0.01  # the whole screen, scaled down
    assert picture.getpixel((0, 0)) == 0 and picture.getpixel((width // 2, height // 3)) == 255  # a window mid-screen


def test_the_live_view_leaves_the_finished_episodes_video_in_the_page(soup: BeautifulSoup) -> None:
    [cell] = [
        cell for cell in soup.select("div.cell") if "watch_episode(env" in cell.select_one("div.cell_input").get_text()
    ]
    steps = int(re.search(r"ended after (\d+) steps", cell.select_one("div.cell_output").get_text()).group(1))

    [video] = embedded_videos(cell)
    assert video.frames == steps + 1  # the first frame, then one a step
    assert not cell.select("div.cell_output img")  # the frames shown while it ran were replaced by the video
    assert cell.select_one("video")["poster"].startswith("data:image/jpeg;base64,")


def test_the_long_episode_plot_shows_record_video_growing_a_frame_a_step_and_wrap_env_flat(
    built_book: Path, soup: BeautifulSoup
) -> None:
    [cell] = [cell for cell in soup.select("div.cell") if "MB more for each step" in cell.get_text()]
    text = cell.get_text()
    slopes = {name: float(slope) for name, slope in re.findall(r"(\w+): (-?[\d.]+) MB more for each step", text)}
    frame = float(re.search(r"one 600x400 RGB frame: ([\d.]+) MB", text).group(1))

    assert frame == pytest.approx(0.72) and set(slopes) == {"RecordVideo", "wrap_env"}
    assert 0.6 * frame < slopes["RecordVideo"] < 1.5 * frame
    assert abs(slopes["wrap_env"]) < 0.1 * frame
    [image] = cell.select("div.cell_output img")
    assert PIL.Image.open(built_book / "book" / image["src"]).size[0] >= 400


def test_step_trigger_and_video_length_cut_a_long_episode_into_clips(soup: BeautifulSoup) -> None:
    clips = ast.literal_eval(re.search(r"clips: (\[[^\]]*\])", soup.get_text()).group(1))

    assert clips == [f"rl-video-step-{step}.mp4" for step in (0, 200, 400)]
