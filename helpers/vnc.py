"""Seeing a server's X display from a browser: a VNC view of it (x11vnc, noVNC), and pictures of web pages.

A window opened on a virtual display (Xvfb) is drawn where nobody can see it.
:func:`start_vnc_view` attaches a VNC server (x11vnc) to that display and serves
noVNC, a VNC client that runs in a browser, through websockify, on ports of the
loopback interface only. A reader on a laptop reaches it through an SSH tunnel.
:func:`screenshot_page` takes a picture of a web page in headless Chromium, which
is how the book proves that such a page shows what it should.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .display import display_is_live

if TYPE_CHECKING:
    from IPython.display import Image

__all__ = [
    "VNC_INSTALL",
    "PortInUse",
    "VncNotInstalled",
    "VncView",
    "drawn_fraction",
    "free_port",
    "screenshot_page",
    "start_vnc_view",
]

VNC_INSTALL = "sudo apt-get install -y x11vnc novnc websockify"
"""The command that installs the VNC server, noVNC and websockify on Debian and Ubuntu."""

NOVNC_FOLDER = Path("/usr/share/novnc")  # where Debian's and Ubuntu's novnc package puts its web client
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class VncNotInstalled(FileNotFoundError):
    """x11vnc, websockify or noVNC's web client is not installed."""


class PortInUse(OSError):
    """The port asked for is taken by another program."""


@dataclass
class VncView:
    """A running VNC view of an X display: x11vnc on ``vnc_port``, noVNC in a browser on ``port``.

    Stop it with :meth:`stop`, or use it as a context manager.
    """

    display: str
    port: int  # noVNC's web page and its WebSocket, served by websockify
    vnc_port: int  # x11vnc's own VNC port, for a VNC client instead of a browser
    processes: list[subprocess.Popen[bytes]] = field(repr=False)

    @property
    def url(self) -> str:
        """The page that shows the display in a browser, connecting at once and scaled to the window."""
        return f"http://localhost:{self.port}/vnc.html?autoconnect=true&resize=scale"

    def stop(self) -> None:
        """Stop websockify and x11vnc, and wait until both have exited.

        Example:
            >>> from helpers.display import start_virtual_display, stop_virtual_display
            >>> _ = start_virtual_display()
            >>> view = start_vnc_view()
            >>> view.stop()
            >>> [process.poll() is not None for process in view.processes]
            [True, True]
            >>> stop_virtual_display()
        """
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> VncView:
        return self

    def __exit__(self, *exception: object) -> None:
        self.stop()


def free_port() -> int:
    """A TCP port of the loopback interface that no program listens on now.

    Example:
        >>> 1024 <= free_port() <= 65535
        True
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _check_port_free(port: int) -> None:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            raise PortInUse(
                f"Port {port} is in use by another program. Pick another one (start_vnc_view(port=...), "
                f"or no port to take a free one), or see what holds it: ss -ltnp 'sport = :{port}'. "
                f"Then tunnel to the port you got: ssh -N -L {port}:localhost:{port} user@server"
            ) from None


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode(errors="replace").strip() if process.stderr else ""
            raise RuntimeError(f"{name} exited with status {process.returncode}: {stderr[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{name} did not listen on port {port} within 20 seconds")


def start_vnc_view(display: str | None = None, port: int | None = None, *, password_file: str | None = None) -> VncView:
    """Serve a live view of an X display to browsers, on the loopback interface only, and return it.

    x11vnc shares ``display`` (by default ``DISPLAY``, for example the Xvfb of
    :func:`~helpers.display.start_virtual_display`) on a free VNC port, and
    websockify serves noVNC's page on ``port`` (by default a free one) and
    relays its WebSocket to x11vnc. Both listen on 127.0.0.1 only: other users
    of the server cannot connect, and a laptop reaches the view through an SSH
    tunnel, ``ssh -N -L PORT:localhost:PORT user@server``, then opens
    :attr:`VncView.url`. Without ``password_file`` (made by ``x11vnc -storepasswd``)
    the VNC server asks for no password, and the tunnel is the only way in.

    Raises :class:`VncNotInstalled` (naming the apt packages) when x11vnc,
    websockify or noVNC is missing, :class:`PortInUse` when ``port`` is taken,
    and :class:`RuntimeError` when there is no such display.

    Example:
        >>> from helpers.display import start_virtual_display, stop_virtual_display
        >>> _ = start_virtual_display()
        >>> with start_vnc_view() as view:
        ...     view.url.startswith("http://localhost:")
        True
        >>> stop_virtual_display()
    """
    display = os.environ.get("DISPLAY", "") if display is None else display
    missing = [name for name in ("x11vnc", "websockify") if shutil.which(name) is None]
    if not (NOVNC_FOLDER / "vnc.html").exists():
        missing.append("novnc")
    if missing:
        raise VncNotInstalled(
            f"Not installed: {', '.join(missing)}. The VNC view needs x11vnc (the VNC server), websockify "
            f"and noVNC (the browser client). Install them: {VNC_INSTALL}"
        )
    if not display_is_live(display):
        raise RuntimeError(
            f"There is no X display to show (DISPLAY={display!r}). Start one first: "
            "helpers.render.start_virtual_display(), or run under xvfb-run."
        )
    if port is None:
        port = free_port()
    else:
        _check_port_free(port)
    vnc_port = free_port()
    vnc = subprocess.Popen(
        ["x11vnc", "-display", display, "-rfbport", str(vnc_port), "-localhost", "-forever", "-shared", "-quiet"]
        + (["-rfbauth", password_file] if password_file else ["-nopw"]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    processes = [vnc]
    try:
        _wait_until_listening(vnc_port, vnc, "x11vnc")
        relay = subprocess.Popen(
            ["websockify", "--web", str(NOVNC_FOLDER), f"127.0.0.1:{port}", f"127.0.0.1:{vnc_port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        processes.append(relay)
        _wait_until_listening(port, relay, "websockify")
    except BaseException:
        VncView(display, port, vnc_port, processes).stop()
        raise
    return VncView(display, port, vnc_port, processes)


def drawn_fraction(png: bytes) -> float:
    """The share of a picture's pixels that differ from its most common colour (its background).

    Example:
        >>> import io
        >>> import PIL.Image
        >>> picture = PIL.Image.new("RGB", (10, 10))
        >>> picture.paste((255, 255, 255), (0, 0, 10, 3))
        >>> png = io.BytesIO()
        >>> picture.save(png, format="png")
        >>> round(drawn_fraction(png.getvalue()), 2)
        0.3
    """
    import PIL.Image

    picture = PIL.Image.open(io.BytesIO(png)).convert("RGB")
    pixels = picture.width * picture.height
    return 1 - max(count for count, _ in picture.getcolors(maxcolors=pixels)) / pixels


def screenshot_page(
    url: str, *, width: int = 1000, height: int = 650, wait_s: float = 3.0, drawn: float = 0.0, timeout_s: float = 300
) -> Image:
    """Open ``url`` in headless Chromium and return a picture of the page once it has drawn.

    It waits ``wait_s`` seconds, then until at least the share ``drawn`` of the
    picture differs from its background (see :func:`drawn_fraction`), for pages
    that draw on a canvas long after they load; after ``timeout_s`` seconds it
    raises :class:`TimeoutError`. Chromium is Debian's (``/usr/bin/chromium``, or the
    ``CHROMIUM`` variable), driven by Playwright; where there is none (Ubuntu's
    chromium is a snap), the one that ``python -m playwright install --with-deps chromium``
    downloads. It runs in a thread of its own, so that Playwright's synchronous
    API also works inside a notebook, whose kernel runs an event loop.

    Example:
        >>> picture = screenshot_page("data:text/html,<h1>Hello</h1>", width=300, height=200, wait_s=0)
        >>> picture.format, picture.data[1:4]
        ('png', b'PNG')
    """
    from IPython.display import Image
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    def take() -> bytes:
        with sync_playwright() as playwright:
            executable = CHROMIUM if Path(CHROMIUM).exists() else None  # None: Playwright's own
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            try:
                tab = browser.new_page(viewport={"width": width, "height": height})
                tab.goto(url)
                tab.wait_for_timeout(wait_s * 1000)
                deadline = time.monotonic() + timeout_s
                fraction = 0.0
                while time.monotonic() < deadline:
                    try:  # a page busy drawing in software may not answer in time: try again
                        picture = tab.screenshot(timeout=max(1.0, deadline - time.monotonic()) * 1000)
                    except PlaywrightTimeout:
                        continue
                    if (fraction := drawn_fraction(picture)) >= drawn:
                        return picture
                    tab.wait_for_timeout(500)
                raise TimeoutError(f"{url} drew {fraction:.0%} of the page in {timeout_s:.0f} s, less than {drawn:.0%}")
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as thread:
        return Image(data=thread.submit(take).result(), format="png")
