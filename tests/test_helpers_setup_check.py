"""helpers/setup_check.py: check_setup, on this machine and with pieces missing."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym

from helpers.render import (
    check_setup,
)


def test_check_setup_passes_on_the_build_machine() -> None:
    report = check_setup()

    assert report.ok, str(report)
    names = [check.name for check in report.checks]
    assert names[:2] == ["Python", "gymnasium"] and names[-3:] == ["X display", "ffmpeg", "Atari ROMs"]
    assert f"gymnasium {gym.__version__}" in str(report)


def test_check_setup_reports_a_missing_xvfb_with_its_fix(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("DISPLAY", raising=False)

    report = check_setup()

    assert not report.ok
    [display_row] = [row for row in report.rows() if row[0] == "X display"]
    assert display_row[1] == "missing" and "apt-get install -y xvfb" in display_row[3]
    assert "apt-get install -y xvfb" in str(report) and "<th" in report._repr_html_()
