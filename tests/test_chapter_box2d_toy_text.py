"""The Box2D and Toy Text chapter as a reader sees it: today's install messages, three videos, boards as text."""

from __future__ import annotations

import re
from pathlib import Path

import gymnasium as gym
import pytest
from bs4 import BeautifulSoup

from conftest import cells, chapter_body, embedded_videos, run_python

CHAPTER = "book/box2d_toy_text"
PAGE_LIMIT = 3_000_000  # bytes of HTML, videos included
ANSI = re.compile(r"\x1b\[[0-9;]*m")
WITHOUT_BOX2D = "import sys\nsys.modules['Box2D'] = None\n"


@pytest.fixture(scope="module")
def soup(built_book: Path) -> BeautifulSoup:
    return chapter_body(built_book, CHAPTER)


def output_of(soup: BeautifulSoup, source_contains: str) -> str:
    """The output text of the one cell whose source contains a string."""
    [output] = [cell.output for cell in cells(soup) if source_contains in cell.source]
    return output


def error_lines(soup: BeautifulSoup) -> list[str]:
    """The last line of every error the page shows."""
    return [cell.error.splitlines()[-1] for cell in cells(soup) if cell.error]


def last_stderr_line(code: str) -> str:
    result = run_python(code)
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[-1]


def test_gymnasiums_message_without_box2d_and_the_helpers_answer_are_todays(soup: BeautifulSoup) -> None:
    gymnasium_says = last_stderr_line(WITHOUT_BOX2D + "import gymnasium as gym\ngym.make('LunarLander-v3')")
    helper_says = last_stderr_line(
        WITHOUT_BOX2D + "from helpers.render import query_environment\nquery_environment('LunarLander-v3')"
    )

    lines = error_lines(soup)
    assert gymnasium_says.removeprefix("gymnasium.error.") in lines and "pip install swig" in gymnasium_says
    assert helper_says.removeprefix("helpers.facts.") in lines and 'pip install "gymnasium[box2d]"' in helper_says


def test_the_renamed_lunar_lander_raises_todays_error_and_its_warning_is_printed(soup: BeautifulSoup) -> None:
    with pytest.warns(DeprecationWarning) as warned, pytest.raises(gym.error.DeprecatedEnv) as error:
        gym.make("LunarLander-v2")

    assert f"DeprecatedEnv: {error.value}" in error_lines(soup)
    assert f"DeprecationWarning: {ANSI.sub('', str(warned[0].message))}" in soup.get_text()


def test_the_page_shows_which_box2d_gymnasium_asks_for_and_the_wheel_installed(soup: BeautifulSoup) -> None:
    from importlib import metadata

    text = soup.get_text()
    for requirement in metadata.requires("gymnasium"):
        if 'extra == "box2d"' in requirement:
            assert requirement in text
    assert f"Box2D {metadata.version('box2d')}, installed from a wheel (Tag: cp" in text


def test_building_box2d_py_fails_without_swig_then_with_pips_swig_then_builds_without_isolation(
    soup: BeautifulSoup,
) -> None:
    no_swig = output_of(soup, 'no_swig = pip_install("box2d-py==2.3.8")')
    isolated = output_of(soup, 'isolated = pip_install("box2d-py==2.3.8")')
    built = output_of(soup, 'pip_install("--no-build-isolation", "box2d-py==2.3.8")')

    assert no_swig.startswith("pip exited with status 1\nswigging Box2D/Box2D.i")
    assert no_swig.endswith("error: command 'swig' failed: No such file or directory")
    assert "Successfully installed setuptools-80.9.0 swig-4.5.1\npip exited with status 1" in isolated
    assert "ModuleNotFoundError: No module named 'swig'" in isolated
    assert re.search(r"error: command '\S+/bin/swig' failed with exit code 1$", isolated)
    assert built == "pip exited with status 0: Successfully installed box2d-py-2.3.8\nimport Box2D: 2.3.8"


def test_the_three_box2d_videos_decode_with_one_frame_a_step_and_the_page_stays_light(
    built_book: Path, soup: BeautifulSoup
) -> None:
    runs = re.findall(r"(\S+-v3): (\d+) steps, return (-?[\d.]+), (terminated|truncated)", soup.get_text())
    videos = embedded_videos(soup)

    assert [env_id for env_id, *_ in runs] == ["LunarLander-v3", "CarRacing-v3", "BipedalWalker-v3"]
    assert len(videos) == 3
    for (env_id, steps, _, _), video in zip(runs, videos):
        assert "h264" in video.stream and "yuv420p" in video.stream
        assert abs(video.frames - (int(steps) + 1)) <= 1, env_id  # the reset frame, then one a step
    assert runs[1][1:] == ("150", runs[1][2], "truncated")  # CarRacing stopped by the shortened limit
    assert (built_book / f"{CHAPTER}.html").stat().st_size < PAGE_LIMIT


def test_the_render_modes_printed_are_each_toy_text_games_own(soup: BeautifulSoup) -> None:
    text = output_of(soup, "toy_text = [")

    for env_id in ("FrozenLake-v1", "Taxi-v4", "CliffWalking-v1", "Blackjack-v1"):
        modes = gym.make(env_id).metadata["render_modes"]
        assert re.search(rf"^{env_id}\s+{', '.join(modes)}$", text, re.M)


def test_the_toy_text_boards_are_text_in_the_page_and_no_image(soup: BeautifulSoup) -> None:
    [cell] = [cell for cell in soup.select("div.cell") if 'render_mode="ansi"' in cell.get_text()]
    text = cell.select_one("div.cell_output").get_text()
    env = gym.make("CliffWalking-v1", render_mode="ansi")
    env.reset(seed=0)
    start = ANSI.sub("", env.render()).strip()

    assert not cell.select("img")
    assert "FrozenLake-v1\n" in text and "\nFHFH\nFFFH\nHFFG" in text
    assert "+---------+\n|R: | : :G|" in text
    assert start.splitlines()[-1] in text  # the cliff row: the walker has not moved on it yet
    assert "\x1b" not in text and cell.select("div.cell_output span[class*='-Color']")  # colours, as HTML


def test_the_toy_text_pictures_are_one_image_of_the_four_boards(soup: BeautifulSoup) -> None:
    [cell] = [cell for cell in soup.select("div.cell") if "plt.subplots(1, 4" in cell.get_text()]

    assert len(cell.select("div.cell_output img")) == 1
