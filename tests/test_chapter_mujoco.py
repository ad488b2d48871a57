"""The MuJoCo chapter as a reader sees it: two robots on video, and each OpenGL back-end's outcome."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, cell_output, chapter_body, embedded_videos

BACKENDS = ("egl", "osmesa", "glfw")
GLFW_WITHOUT_DISPLAY = "GLFWError: (65550) b'X11: The DISPLAY environment variable is missing'"


@pytest.fixture(scope="module")
def soup(built_book: Path) -> BeautifulSoup:
    return chapter_body(built_book, "book/mujoco")


def test_the_page_embeds_a_video_of_each_robot_that_decodes_with_one_frame_a_step(soup: BeautifulSoup) -> None:
    videos = embedded_videos(soup)
    printed_steps = [int(n) for n in re.findall(r"(\d+) steps recorded in", soup.get_text())]

    assert len(videos) == len(printed_steps) == 2
    for video, steps in zip(videos, printed_steps):
        assert "h264" in video.stream and "yuv420p" in video.stream
        assert abs(video.frames - (steps + 1)) <= 1  # the reset frame, then one frame a step
        assert 4 * -(-video.size // 3) < 1_500_000, "each embedded video must stay under 1.5 MB"
    assert "480x480" in videos[0].stream and "480x320" in videos[1].stream  # Ant was made with width, height


def test_the_page_names_each_backends_outcome_under_the_virtual_display(soup: BeautifulSoup) -> None:
    text = cell_output(soup, 'for backend in ["egl", "osmesa", "glfw"]]')

    assert re.search(r"DISPLAY=:\d+", text)
    for backend in BACKENDS:
        assert re.search(
            rf"^MUJOCO_GL={backend}: (works, \d+\.\d ms per frame, drawn by \S.*|fails\n    \S.*)$", text, re.M
        ), f"no outcome for {backend} in:\n{text}"


@pytest.mark.parametrize(
    "source, name", [('try_mujoco_backend("glfw"', "MUJOCO_GL=glfw"), ("try_mujoco_backend(None", "MUJOCO_GL unset")]
)
def test_without_a_display_glfw_fails_with_glfws_and_mujocos_real_errors(
    soup: BeautifulSoup, source: str, name: str
) -> None:
    lines = cell_output(soup, source).strip().splitlines()

    assert lines[0] == f"{name}: fails"
    assert lines[1].strip() == GLFW_WITHOUT_DISPLAY
    assert lines[-1].strip().startswith("mujoco.FatalError: an OpenGL platform library has not been loaded")


def test_the_page_shows_what_goes_wrong_when_mujoco_gl_is_set_too_late(soup: BeautifulSoup) -> None:
    assert "makes its OpenGL contexts with mujoco.egl" in cell_output(soup, 'os.environ["MUJOCO_GL"] = "egl"  # before')
    ignored = cell_output(soup, "too_late = ").strip().splitlines()
    assert ignored[0] == "mujoco.GLContext comes from mujoco.glfw" and ignored[-1].startswith("mujoco.FatalError")
    [refused] = soup.select("div.cell.tag_raises-exception")
    assert "ImportError: Cannot use OSMesa rendering platform." in refused.get_text()
    assert "is set to 'egl'" in refused.get_text()


def test_mujoco_warnings_are_printed_not_written_to_stderr_or_a_log_file(built_book: Path, soup: BeautifulSoup) -> None:
    assert "MuJoCo warning: compiler attribute 'settotalmass' is deprecated" in soup.get_text()
    assert not soup.select("div.output.stderr")
    assert not (ROOT / "book" / "MUJOCO_LOG.TXT").exists()


def test_the_page_says_which_backend_to_choose_on_colab_a_gpu_server_and_a_cpu_only_server(soup: BeautifulSoup) -> None:
    table = soup.find("th", string="Where").find_parent("table")
    choices = {row.find_all("td")[0].get_text(): row.find_all("td")[1].get_text() for row in table.select("tbody tr")}

    for where in ("Colab, GPU runtime", "Colab, CPU runtime", "GPU server (NVIDIA)", "CPU-only server, CI"):
        assert any(backend in choices[where] for backend in BACKENDS), where
