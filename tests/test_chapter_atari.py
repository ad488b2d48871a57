"""The Atari chapter: ale-py's Pong today, and the 2021 ROM import with atari-py, as a reader sees them."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from pathlib import Path

import pytest

from conftest import chapter_body, embedded_videos, run_python

ATARI_PY_MISSING_ROM = (
    "Exception: ROM is missing for pong, see https://github.com/openai/atari-py#roms for instructions"
)
EMBEDDED_LIMIT = 1_500_000  # bytes of base64 in the page, per video


@pytest.fixture(scope="module")
def soup(built_book: Path):
    return chapter_body(built_book, "book/atari")


def errors(soup) -> list[str]:
    """The output of every cell tagged raises-exception, as the reader sees it."""
    return [cell.get_text().strip() for cell in soup.select("div.tag_raises-exception div.cell_output")]


def error_lines(soup) -> list[str]:
    """The last line of every error output on the page."""
    return [error.splitlines()[-1] for error in errors(soup)]


def test_the_page_shows_the_posts_missing_rom_message_from_atari_py(soup) -> None:
    assert ATARI_PY_MISSING_ROM in error_lines(soup)
    assert "Games with a ROM: ['tetris']" in soup.get_text()


def test_the_page_shows_the_import_copying_pong_and_every_rom_atari_py_knows(soup) -> None:
    text = soup.get_text()
    md5_file = Path(importlib.util.find_spec("atari_py").origin).parent / "ale_interface" / "md5.txt"
    known = len(md5_file.read_text().splitlines()) - 2  # two header lines

    assert "python -m atari_py.import_roms" in text
    assert re.search(r"copying pong\.bin from ROMS/pong\.bin to \S+/atari_py/atari_roms/pong\.bin", text)
    assert f"{known} ROMs copied" in text and known > 70
    assert re.search(r"atari_roms/pong\.bin\s+\d+ games with a ROM", text)


def test_the_build_leaves_the_installed_atari_py_without_imported_roms(built_book: Path) -> None:
    import atari_py

    assert "site-packages" in atari_py.__file__
    assert atari_py.list_games() == ["tetris"]


def test_the_page_shows_ale_pys_errors_for_a_missing_import_and_a_missing_or_wrong_rom(soup) -> None:
    lines = error_lines(soup)

    assert "NamespaceNotFound: Namespace ALE not found. Have you installed the proper package for ALE?" in lines
    assert "NameNotFound: Environment `PongNoFrameskip` doesn't exist." in lines
    assert any(re.fullmatch(r"FileNotFoundError: .*No such file or directory: '.*/pong\.bin'", line) for line in lines)
    assert any(
        error.startswith("Loading roms from") and "OSError: The hash of pong.bin does not match" in error
        for error in errors(soup)
    )


def test_the_page_compares_the_two_pong_ids_from_their_registrations(soup) -> None:
    import ale_py
    import gymnasium as gym

    gym.register_envs(ale_py)
    text = soup.get_text()
    for setting in ("frameskip", "repeat_action_probability", "max_num_frames_per_episode"):
        values = [gym.spec(env_id).kwargs[setting] for env_id in ("PongNoFrameskip-v4", "ALE/Pong-v5")]
        assert re.search(rf"{setting}\s+{re.escape(str(values[0]))}\s+{re.escape(str(values[1]))}", text)
    assert [caption.get_text() for caption in soup.select("caption")] == ["PongNoFrameskip-v4", "ALE/Pong-v5"]


def test_the_page_says_how_long_a_full_episode_is(soup) -> None:
    match = re.search(r"One episode: (\d+) steps, (\d+) emulator frames, (\d+) s of play at 60 Hz", soup.get_text())

    assert match
    steps, frames, seconds = map(int, match.groups())
    assert steps * 4 - 4 <= frames <= steps * 4 and seconds == round(frames / 60)


def test_the_page_embeds_light_pong_videos_from_ale_py_and_from_atari_py(soup) -> None:
    sources = [tag["src"] for tag in soup.select("video source[src]")]
    videos = embedded_videos(soup)
    ale_py_steps = int(re.search(r"One episode: (\d+) steps", soup.get_text()).group(1))

    assert len(videos) == len(sources) == 2
    assert all(len(src) < EMBEDDED_LIMIT for src in sources)
    for video in videos:
        assert "h264" in video.stream and "yuv420p" in video.stream and "160x210" in video.stream
        assert video.frames > 300  # a game of Pong, not a few frames
    assert abs(videos[0].frames - ale_py_steps) <= 1


def pasted(soup, opening: str) -> list[str]:
    """The glued values, in order, in the paragraph of the page that opens with `opening`."""
    [block] = [tag for tag in soup.select("p") if tag.get_text().strip().startswith(opening)]
    return [span.get_text() for span in block.select("span.pasted-text")]


def registrations() -> tuple[dict, dict]:
    import ale_py
    import gymnasium as gym

    gym.register_envs(ale_py)
    return gym.spec("PongNoFrameskip-v4").kwargs, gym.spec("ALE/Pong-v5").kwargs


def test_the_speed_up_of_the_pong_video_is_computed_from_the_episode_on_the_page(soup) -> None:
    from ale_py.env import AtariEnv

    steps, frames = map(int, re.search(r"One episode: (\d+) steps, (\d+) emulator frames", soup.get_text()).groups())
    fps = AtariEnv.metadata["render_fps"]
    frames_a_step = round(frames / steps)
    speed_up = round((frames / 60) / (steps / fps))

    assert pasted(soup, "The video plays the game") == [
        {2: "twice"}.get(speed_up, f"{speed_up} times"),
        str(frames_a_step),
        str(fps),
        str(frames_a_step * fps),
    ]
    assert frames_a_step == registrations()[1]["frameskip"]


def test_the_prose_on_frame_skip_sticky_actions_and_episode_limits_is_ale_pys_registration(soup) -> None:
    v4, v5 = registrations()
    frames = v5["max_num_frames_per_episode"]

    assert pasted(soup, "Frame skip.") == [str(v5["frameskip"]), str(60 // v5["frameskip"])]
    assert pasted(soup, "Sticky actions.") == [str(v5["repeat_action_probability"])]
    assert pasted(soup, "Episode limits.") == [
        f"{frames:,}",
        str(frames // 3600),
        f"{frames // v4['frameskip']:,}",
        f"{frames // v5['frameskip']:,}",
    ]


def test_the_page_says_how_often_ale_prints_its_banner_as_a_fresh_python_does(soup) -> None:
    three_games = (
        "import gymnasium as gym, ale_py\n"
        "gym.register_envs(ale_py)\n"
        "for env_id in ['ALE/Pong-v5', 'ALE/Breakout-v5', 'ALE/Pong-v5']:\n"
        "    gym.make(env_id).close()\n"
    )
    banners = run_python(three_games).stderr.count("A.L.E: Arcade Learning Environment")

    assert pasted(soup, "Three games made") == [{1: "once"}.get(banners, f"{banners} times")]


def test_the_atari_py_version_and_checksum_count_in_the_prose_are_atari_pys(soup) -> None:
    md5_file = Path(importlib.util.find_spec("atari_py").origin).parent / "ale_interface" / "md5.txt"
    checksums = [line for line in md5_file.read_text().splitlines() if re.fullmatch(r"[0-9a-f]{32} \S+\.bin", line)]

    assert pasted(soup, "Until gym 0.20") == [importlib.metadata.version("atari-py")]
    assert pasted(soup, "import_roms walks the folder") == [str(len(checksums))]
