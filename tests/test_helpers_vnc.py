"""helpers/vnc.py: a VNC view of the X display in a browser, on loopback ports, and screenshots of pages."""

from __future__ import annotations

import io
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import PIL.Image
import PIL.ImageStat
import psutil
import pytest

from conftest import VIEWER_PROCESSES, left_running, running_processes
from helpers import vnc
from helpers.render import (
    PortInUse,
    VncNotInstalled,
    VncView,
    free_port,
    screenshot_page,
    start_virtual_display,
    start_vnc_view,
    stop_virtual_display,
)


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    yield start_virtual_display()
    stop_virtual_display()


@pytest.fixture(scope="module")
def view(display: str) -> Iterator[VncView]:
    with start_vnc_view() as view:
        yield view


def listening(pid: int) -> set[tuple[str, int]]:
    return {
        (c.laddr.ip, c.laddr.port) for c in psutil.Process(pid).net_connections("tcp") if c.status == psutil.CONN_LISTEN
    }


def test_the_view_listens_on_the_loopback_interface_only(view: VncView) -> None:
    vnc_server, relay = view.processes

    assert listening(vnc_server.pid) <= {("127.0.0.1", view.vnc_port), ("::1", view.vnc_port)}
    assert ("127.0.0.1", view.vnc_port) in listening(vnc_server.pid)
    assert listening(relay.pid) == {("127.0.0.1", view.port)}
    assert view.url == f"http://localhost:{view.port}/vnc.html?autoconnect=true&resize=scale"


def test_x11vnc_speaks_vnc_and_websockify_serves_novncs_page(view: VncView) -> None:
    with socket.create_connection(("127.0.0.1", view.vnc_port), timeout=10) as connection:
        greeting = connection.recv(12)
    with urllib.request.urlopen(view.url, timeout=10) as response:
        page = response.read().decode()

    assert greeting.startswith(b"RFB 003.")
    assert "<title>noVNC</title>" in page


def test_the_browser_shows_the_display_through_novnc(view: VncView) -> None:
    import gymnasium as gym

    env = gym.make("CartPole-v1", render_mode="human")  # a white 600x400 window on the black screen
    env.reset(seed=0)
    env.step(0)
    try:
        picture = PIL.Image.open(io.BytesIO(screenshot_page(view.url, width=700, height=450).data)).convert("L")
    finally:
        env.close()

    white = sum(1 for value in picture.getdata() if value > 240) / (700 * 450)
    assert picture.size == (700, 450)
    assert 0.1 < white < 0.6, f"{white:.0%} of the picture is white: is CartPole's window in it?"


def test_a_port_in_use_is_refused_with_what_to_do(view: VncView) -> None:
    with pytest.raises(PortInUse, match=rf"Port {view.port} is in use .* ssh -N -L {view.port}:localhost:{view.port}"):
        start_vnc_view(port=view.port)


def test_without_a_display_it_says_to_start_one() -> None:
    with pytest.raises(RuntimeError, match=r"There is no X display to show \(DISPLAY=':987'\).*start_virtual_display"):
        start_vnc_view(":987")


def test_without_x11vnc_it_names_the_apt_packages(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(VncNotInstalled, match=r"Not installed: x11vnc, websockify\..*apt-get install -y x11vnc novnc"):
        start_vnc_view(":0")


def test_without_novnc_it_names_it(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(vnc, "NOVNC_FOLDER", tmp_path)

    with pytest.raises(VncNotInstalled, match=r"Not installed: novnc\..*apt-get install -y x11vnc novnc websockify"):
        start_vnc_view(":0")


def test_stop_ends_both_programs_and_frees_the_port(display: str) -> None:
    before = running_processes(VIEWER_PROCESSES)
    view = start_vnc_view(port=free_port())
    assert running_processes(VIEWER_PROCESSES) - before == {p.pid for p in view.processes}

    view.stop()

    assert not left_running(VIEWER_PROCESSES, before)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", view.port))  # free again


def test_a_screenshot_of_a_page_is_what_chromium_draws() -> None:
    picture = screenshot_page("data:text/html,<body style='background:rgb(255,0,0)'>", width=320, height=200, wait_s=0)
    image = PIL.Image.open(io.BytesIO(picture.data)).convert("RGB")

    assert image.size == (320, 200)
    assert [round(v) for v in PIL.ImageStat.Stat(image).mean] == [255, 0, 0]
