"""helpers/display.py: the virtual display and pictures of it."""

from __future__ import annotations

import re
from pathlib import Path

import PIL.Image
import pytest

from conftest import run_python, running_xvfb, xvfb_left_running
from helpers import display
from helpers.render import (
    XvfbNotFound,
    start_virtual_display,
)


def test_start_virtual_display_without_xvfb_names_the_package_to_install(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setattr(display, "_virtual_display", None)

    with pytest.raises(XvfbNotFound, match=r"apt-get install -y xvfb"):
        start_virtual_display()


def test_start_virtual_display_starts_xvfb_once_and_stops_it_at_exit() -> None:
    before = running_xvfb()
    result = run_python(
        """
        import os
        from helpers.render import start_virtual_display
        first = start_virtual_display()
        print(first, start_virtual_display(), os.environ["DISPLAY"])
        """,
        DISPLAY=None,
    )

    assert result.returncode == 0, result.stderr
    first, second, environment = result.stdout.split()
    assert re.fullmatch(r":\d+", first) and first == second == environment
    assert not xvfb_left_running(before)


@pytest.mark.parametrize("display_name, reused", [("remotehost:10.0", True), (":987", False)])
def test_start_virtual_display_reuses_a_live_display_only(display_name: str, reused: bool) -> None:
    result = run_python(
        """
        from helpers.render import start_virtual_display
        print(start_virtual_display())
        """,
        DISPLAY=display_name,
    )

    assert result.returncode == 0, result.stderr
    assert (result.stdout.strip() == display_name) is reused


def test_screenshot_display_shows_a_human_mode_window_on_a_fresh_virtual_display(tmp_path: Path) -> None:
    result = run_python(
        f"""
        import gymnasium as gym
        from helpers.render import screenshot_display, start_virtual_display
        start_virtual_display()
        open("{tmp_path}/blank.png", "wb").write(screenshot_display(width=350).data)
        env = gym.make("CartPole-v1", render_mode="human")
        env.reset(seed=0)
        open("{tmp_path}/window.png", "wb").write(screenshot_display(width=350).data)
        env.close()
        """,
        DISPLAY=None,
    )

    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stderr
    blank, window = (PIL.Image.open(tmp_path / name).convert("L") for name in ("blank.png", "window.png"))
    assert blank.size == window.size == (350, 225)  # the 1400x900 screen, scaled
    assert blank.getextrema() == (0, 0)  # an empty X screen is black
    assert window.getextrema()[1] == 255  # CartPole's white window is on it


def test_screenshot_display_without_a_display_says_what_to_do(monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)

    with pytest.raises(RuntimeError, match=r"no X display.*start_virtual_display\(\)"):
        display.screenshot_display()


def test_without_pyvirtualdisplay_start_virtual_display_starts_xvfb_itself_and_stops_it() -> None:
    """A host without internet (Kaggle by default) has Xvfb but cannot pip install pyvirtualdisplay."""
    before = running_xvfb()
    result = run_python(
        """
        import os, sys
        sys.modules["pyvirtualdisplay"] = None  # import pyvirtualdisplay raises ImportError, as where it is missing
        import gymnasium as gym
        from helpers.render import screenshot_display, start_virtual_display, stop_virtual_display
        name = start_virtual_display()
        env = gym.make("CartPole-v1", render_mode="human")
        env.reset(seed=0)
        picture = screenshot_display(width=350)
        env.close()
        stop_virtual_display()
        print(name, picture.format, os.environ.get("DISPLAY", "unset"))
        """,
        DISPLAY=None,
    )

    assert result.returncode == 0 and result.stderr == "", result.stderr
    name, picture, after = result.stdout.split()
    assert re.fullmatch(r":\d+", name) and picture == "png" and after == "unset"
    assert not xvfb_left_running(before)
