"""book/watch: a server's window watched in a browser through x11vnc and noVNC, and MuJoCo's web viewer."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import PIL.Image
import pytest
from bs4 import BeautifulSoup, Tag

from conftest import cell_output, cells, page

CARTPOLE_POLE = (202, 152, 101)  # the pole's colour in Gymnasium's cartpole.py


@pytest.fixture(scope="module")
def soup(built_book: Path) -> BeautifulSoup:
    return page(built_book, "book/watch")


def screenshot(built_book: Path, soup: BeautifulSoup, source_contains: str) -> np.ndarray:
    [cell] = [c for c in soup.select("div.cell") if source_contains in c.select_one("div.cell_input").get_text()]
    [image] = cell.select("div.cell_output img")
    return np.asarray(PIL.Image.open(built_book / "book" / image["src"]).convert("RGB")).astype(int)


def share(pixels: np.ndarray, colour: tuple[int, int, int], tolerance: int = 12) -> float:
    """The share of pixels within `tolerance` of a colour on each channel."""
    return float((np.abs(pixels - colour) <= tolerance).all(axis=2).mean())


def test_the_novnc_screenshot_shows_cartpoles_window_on_the_black_screen(built_book: Path, soup: BeautifulSoup) -> None:
    pixels = screenshot(built_book, soup, "screenshot_page(view.url")
    height, width, _ = pixels.shape

    assert (width, height) == (900, 580)
    assert 0.5 < share(pixels, (0, 0, 0)) < 0.9  # the 1400x900 virtual screen, scaled into the page
    assert 0.1 < share(pixels, (255, 255, 255)) < 0.4  # CartPole's white 600x400 window
    assert tuple(pixels[height // 2, width // 2 - 120]) == (255, 255, 255)  # in the middle of the screen
    assert share(pixels, CARTPOLE_POLE, tolerance=30) > 0.0005  # with its pole drawn


def test_the_web_viewer_cell_shows_the_scene_or_says_it_was_not_drawn_in_time(
    built_book: Path, soup: BeautifulSoup
) -> None:
    source = "screenshot_page(url, width=900"
    [cell] = [c for c in cells(soup) if source in c.source]
    assert cell.tagged_to_raise  # software WebGL on a busy build machine may not finish drawing
    if cell.error:
        assert re.search(
            r"TimeoutError: http://localhost:\d+/ drew \d+% of the page in 240 s, less than 50%", cell.error
        )
        return
    pixels = screenshot(built_book, soup, source)
    height, width, _ = pixels.shape
    colours, counts = np.unique(pixels.reshape(-1, 3), axis=0, return_counts=True)

    assert (width, height) == (900, 580)
    assert counts.max() / counts.sum() < 0.5  # no one background colour: the floor and the robot are drawn
    assert share(pixels, (0, 0, 0), tolerance=20) < 0.2  # not the black canvas of a page still loading
    assert len(colours) > 1000  # shading, not a flat fill


def test_the_view_listens_on_loopback_only_and_the_web_viewer_on_every_interface(soup: BeautifulSoup) -> None:
    started = cell_output(soup, "view = start_vnc_view()")
    port, vnc_port = map(int, re.search(r"noVNC on port (\d+) - x11vnc on port (\d+)", started).groups())
    listening = re.sub(r"[ \t]*\n[ \t]+", " ", cell_output(soup, "c.pid == process.pid"))  # text split in spans

    assert f"http://localhost:{port}/vnc.html?autoconnect=true&resize=scale" in started
    assert re.search(rf"^x11vnc listens on 127\.0\.0\.1:{vnc_port}(, ::1:{vnc_port})?$", listening, re.M)
    assert re.search(rf"^websockify listens on 127\.0\.0\.1:{port}$", listening, re.M)
    assert "0.0.0.0" not in listening
    assert re.search(r"the web viewer listens on address '::', port \d+", cell_output(soup, "c.laddr.port == port"))


def test_a_taken_port_fails_in_a_cell_tagged_to_raise_with_advice(soup: BeautifulSoup) -> None:
    [cell] = [c for c in cells(soup) if "start_vnc_view(port=view.port)" in c.source]
    port = re.search(r"noVNC on port (\d+)", cell_output(soup, "view = start_vnc_view()")).group(1)

    assert cell.tagged_to_raise
    assert f"PortInUse: Port {port} is in use by another program" in cell.error
    assert f"ssh -N -L {port}:localhost:{port} user@server" in cell.error


def test_the_viewers_banner_is_shown_without_terminal_escapes_and_everything_is_stopped(soup: BeautifulSoup) -> None:
    banner = cell_output(soup, "launch_passive.launch(config)")

    assert "MuJoCo Web Viewer running at:" in banner and "No authentication or encryption" in banner
    assert re.search(r"Local:\s+http://localhost:\d+/", banner) and "]8;;" not in banner
    assert cell_output(soup, "view.stop()") == "x11vnc and websockify running: [False, False]"
    assert cell_output(soup, "viewer.close()") == "viewer running: False"


def text_of(section: Tag) -> str:
    return re.sub(r"\s+", " ", section.get_text())


def test_the_page_gives_the_tunnel_the_security_notes_and_the_other_ways(soup: BeautifulSoup) -> None:
    text = text_of(soup.select_one("main") or soup)
    [other_ways] = [s for s in soup.select("section") if s.h2 and s.h2.get_text().startswith("Other ways")]

    assert "ssh -N -L 6080:localhost:6080 user@server" in text
    assert "never to 0.0.0.0" in text and "x11vnc -storepasswd" in text
    assert "not run here" in other_ways.find("h2").get_text()
    for way in ["ssh -X", "VS Code", "jupyter-server-proxy", "serve_kernel_port_as_window", "watch_episode"]:
        assert way in text_of(other_ways), way
    assert other_ways.select('a[href^="https://"]'), "the other ways cite no source"
