"""helpers/setup_check.py: check_setup, on this machine and with pieces missing."""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import ale_py
import gymnasium as gym

from conftest import run_python
from helpers.render import (
    check_setup,
)

gym.register_envs(ale_py)


def test_check_setup_passes_on_the_build_machine() -> None:
    report = check_setup()

    assert report.ok, str(report)
    names = [check.name for check in report.checks]
    assert names[:2] == ["Python", "gymnasium"] and names[-3:] == ["X display", "ffmpeg", "Atari ROMs"]
    assert "<th style='text-align:left'>Found</th>" in report._repr_html_() and ">Fix<" not in report._repr_html_()
    assert f"gymnasium {gym.__version__}" in str(report)


def test_check_setup_reports_a_missing_xvfb_with_its_fix(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("DISPLAY", raising=False)

    report = check_setup()

    assert not report.ok
    [display_row] = [row for row in report.rows() if row[0] == "X display"]
    assert display_row[1] == "missing" and "apt-get install -y xvfb" in display_row[3]
    assert "apt-get install -y xvfb" in str(report) and ">Fix</th>" in report._repr_html_()
    assert (
        "troubleshooting, book/troubleshooting-display: FileNotFoundError: [Errno 2] No such file or directory: 'Xvfb'"
        in (display_row[3])
    )


def hide_pyvirtualdisplay(monkeypatch) -> None:
    """This process as on a host where pip could not install pyvirtualdisplay."""
    real_version = importlib.metadata.version

    def version(name: str) -> str:
        if name == "pyvirtualdisplay":
            raise importlib.metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(importlib.metadata, "version", version)


def test_without_pyvirtualdisplay_but_with_xvfb_the_setup_passes(monkeypatch) -> None:
    hide_pyvirtualdisplay(monkeypatch)
    monkeypatch.delenv("DISPLAY", raising=False)

    report = check_setup()

    assert report.ok, str(report)
    [row] = [row for row in report.rows() if row[0] == "pyvirtualdisplay"]
    assert row[1:] == ("ok", "not installed (optional here: start_virtual_display() starts Xvfb itself)", "")


def test_without_pyvirtualdisplay_and_without_xvfb_both_are_missing(monkeypatch, tmp_path: Path) -> None:
    hide_pyvirtualdisplay(monkeypatch)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("DISPLAY", raising=False)

    rows = {row[0]: row for row in check_setup().rows()}

    assert rows["pyvirtualdisplay"][1:3] == ("missing", "not installed")
    assert rows["X display"][1] == "missing"


def atari_row(report) -> tuple[str, str, str, str]:
    [row] = [row for row in report.rows() if row[0] == "Atari ROMs"]
    return row


def test_check_setup_counts_the_rom_files_ale_py_opens_from_its_own_folder(monkeypatch) -> None:
    import ale_py.roms

    monkeypatch.delenv("ALE_ROMS_DIR", raising=False)
    games = ale_py.roms.get_all_rom_ids()

    name, status, found, fix = atari_row(check_setup())

    assert status == "ok" and fix == ""
    assert found == f"{len(games)} of {len(games)} games' ROMs open, bundled with ale-py"


def test_check_setup_reports_an_empty_ale_roms_dir_with_what_to_do(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ALE_ROMS_DIR", str(tmp_path))

    report = check_setup()
    name, status, found, fix = atari_row(report)

    assert not report.ok and status == "missing"
    assert found.startswith("0 of ") and f"ALE_ROMS_DIR={tmp_path}" in found
    assert "unset ALE_ROMS_DIR" in fix and ".bin" in fix


def test_check_setup_counts_only_roms_whose_checksum_ale_py_accepts(monkeypatch, tmp_path: Path) -> None:
    import ale_py.roms

    bundled = ale_py.roms.get_rom_path("pong").parent
    shutil.copy(bundled / "pong.bin", tmp_path)
    shutil.copy(bundled / "pong.bin", tmp_path / "breakout.bin")  # a file under another game's name
    monkeypatch.setenv("ALE_ROMS_DIR", str(tmp_path))

    name, status, found, fix = atari_row(check_setup())

    assert status == "ok" and found.startswith("1 of ")
    assert gym.make("ALE/Pong-v5") is not None  # the one it counts is one ale-py opens


def test_check_setup_reports_an_ale_roms_dir_that_is_not_a_folder(tmp_path: Path) -> None:
    result = run_python(
        "from helpers.render import check_setup; print(check_setup())",
        ALE_ROMS_DIR=str(tmp_path / "nowhere"),
    )

    assert result.returncode == 0, result.stderr
    assert f"missing  ALE_ROMS_DIR={tmp_path / 'nowhere'}, which is not a folder" in result.stdout
