"""The X display: a virtual one (Xvfb) where there is no screen, and pictures of it."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from IPython.display import Image

__all__ = ["XVFB_INSTALL", "XvfbNotFound", "screenshot_display", "start_virtual_display", "stop_virtual_display"]

XVFB_INSTALL = "sudo apt-get install -y xvfb xauth"
"""The command that installs Xvfb on Debian and Ubuntu (in Colab: ``!apt-get install -y xvfb``)."""

_virtual_display: Any = None  # the Xvfb this module started (a pyvirtualdisplay.Display or _XvfbProcess), if any


class XvfbNotFound(FileNotFoundError):
    """Xvfb, the virtual X server, is not installed."""


def display_is_live(display: str) -> bool:
    """Whether ``display`` (a ``DISPLAY`` value) names a reachable X server; a local one must have its socket.

    Example:
        >>> display_is_live(""), display_is_live("remotehost:10.0")
        (False, True)
    """
    match = re.fullmatch(r":(\d+)(\.\d+)?", display)
    if match is None:  # host:N, as with ssh -X: trust it
        return bool(display)
    return Path(f"/tmp/.X11-unix/X{match.group(1)}").exists()


class _XvfbProcess:
    """Xvfb started without pyvirtualdisplay: the same ``start()`` and ``stop()``, for hosts that lack it.

    Xvfb picks a free display number itself and writes it to a pipe when it is
    ready (``-displayfd``); ``start()`` sets ``DISPLAY`` to it, ``stop()`` ends
    Xvfb and puts the previous ``DISPLAY`` back.

    Example:
        >>> import os
        >>> xvfb = _XvfbProcess((640, 480))
        >>> xvfb.start()
        >>> display_is_live(os.environ["DISPLAY"])
        True
        >>> xvfb.stop()
    """

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        self._process: subprocess.Popen[bytes] | None = None
        self._previous: str | None = None

    def start(self) -> None:
        """Start Xvfb and point ``DISPLAY`` at it; raise RuntimeError if it exits without a display."""
        width, height = self.size
        read, write = os.pipe()
        command = ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"]
        self._process = subprocess.Popen(
            command, pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()  # empty if Xvfb exited first
        if not number:
            self._process.wait()
            raise RuntimeError(f"Xvfb exited (status {self._process.returncode}) before it opened a display")
        self._previous = os.environ.get("DISPLAY")
        os.environ["DISPLAY"] = f":{number}"

    def stop(self) -> None:
        """End Xvfb, if it runs, and restore the ``DISPLAY`` that was set before ``start()``."""
        if self._process is None:
            return
        self._process.terminate()
        self._process.wait(timeout=10)
        self._process = None
        if self._previous is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = self._previous


def start_virtual_display(size: tuple[int, int] = (1400, 900)) -> str:
    """Make sure an X display exists, starting Xvfb if needed, and return its name.

    A live ``DISPLAY`` (a desktop, or ``xvfb-run``) is reused. Otherwise Xvfb is
    started, through pyvirtualdisplay where it is installed and directly where it
    is not (a host without internet, such as Kaggle by default, has Xvfb but not
    pyvirtualdisplay), and stopped when Python exits, or earlier by
    :func:`stop_virtual_display`. Calling it again returns the same display.
    Without Xvfb it raises :class:`XvfbNotFound`, naming the package to install.

    Example:
        >>> import os
        >>> name = start_virtual_display()
        >>> name == os.environ["DISPLAY"] and display_is_live(name)
        True
        >>> stop_virtual_display()
    """
    global _virtual_display
    current = os.environ.get("DISPLAY", "")
    if _virtual_display is not None or display_is_live(current):
        return current
    if shutil.which("Xvfb") is None:
        raise XvfbNotFound(
            "Xvfb is not installed, so there is no virtual display to start. "
            f"Install Debian's xvfb package: {XVFB_INSTALL} "
            "(in Colab: !apt-get install -y xvfb)."
        )
    try:
        from pyvirtualdisplay import Display
    except ImportError:
        display: Any = _XvfbProcess(size)
    else:
        display = Display(visible=False, size=size)
    display.start()
    atexit.register(display.stop)
    _virtual_display = display
    return os.environ["DISPLAY"]


def stop_virtual_display() -> None:
    """Stop the Xvfb that :func:`start_virtual_display` started, if any, and restore ``DISPLAY``.

    A display this module did not start (a desktop, ``xvfb-run``) is left alone.

    Example:
        >>> stop_virtual_display()  # nothing started: nothing to stop
    """
    global _virtual_display
    if _virtual_display is not None:
        _virtual_display.stop()  # both kinds put the previous DISPLAY back
        atexit.unregister(_virtual_display.stop)
        _virtual_display = None


def screenshot_display(width: int = 700) -> Image:
    """Take a picture of the whole X display (``DISPLAY``), scaled to ``width`` pixels wide.

    This shows what a window opened on a virtual display looks like: grab the
    screen while, say, an environment with ``render_mode="human"`` is open. It
    uses the ffmpeg that comes with imageio-ffmpeg (its ``x11grab`` input), so no
    other screenshot tool is needed. The answer is a PNG that a notebook displays.

    Example:
        >>> _ = start_virtual_display()
        >>> picture = screenshot_display(width=400)
        >>> picture.format, picture.data[1:4]
        ('png', b'PNG')
        >>> stop_virtual_display()
    """
    import imageio_ffmpeg
    from IPython.display import Image

    display = os.environ.get("DISPLAY", "")
    if not display_is_live(display):
        raise RuntimeError(
            f"There is no X display to take a picture of (DISPLAY={display!r}). Call start_virtual_display() first."
        )
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error",
        "-f", "x11grab", "-draw_mouse", "0", "-i", display,
        "-frames:v", "1", "-vf", f"scale={int(width)}:-1", "-f", "image2pipe", "-c:v", "png", "-",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, timeout=60)
    if result.returncode != 0 or not result.stdout:
        message = result.stderr.decode(errors="replace").strip() or f"exit status {result.returncode}"
        raise RuntimeError(f"ffmpeg could not grab display {display}: {message}")
    return Image(data=result.stdout, format="png")
