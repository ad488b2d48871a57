"""book/setup: installing the stack, and the 2021 apt line that no longer works."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

from conftest import chapter_body
from tools import colab_snapshot


def test_the_setup_page_shows_why_the_2021_apt_line_fails_and_a_passing_check(built_book: Path) -> None:
    soup = chapter_body(built_book, "book/setup")
    text = soup.get_text()

    assert "E: Unable to locate package python-opengl" in text
    assert "exit status 100" in text
    check_table = soup.find("caption", string="Setup check").find_parent("table")
    statuses = [row.find_all("td")[1].get_text() for row in check_table.select("tbody tr")]
    assert len(statuses) >= 9 and set(statuses) == {"ok"}


def test_the_packages_that_pip_brings_are_glued_from_their_metadata(built_book: Path) -> None:
    soup = chapter_body(built_book, "book/setup")
    pasted = [span.get_text() for span in soup.select("span.pasted-text")]
    classic_control = [
        re.split(r"[<>=!~ ;]", requirement)[0]
        for requirement in importlib.metadata.requires("gymnasium")
        if 'extra == "classic-control"' in requirement
    ]
    mujoco = [re.split(r"[<>=!~ ;]", r)[0] for r in importlib.metadata.requires("mujoco") if ";" not in r]

    assert pasted == [classic_control[0], ", ".join(mujoco)]
    assert "pyopengl" in pasted[1].lower()


def test_what_the_page_says_colab_has_is_the_committed_snapshot_of_each_runtime(built_book: Path) -> None:
    table = chapter_body(built_book, "book/setup").find("table", id="colab-has")
    runtimes = {"Current runtime": "latest", "Runtime 2026.07": "2026.07"}
    header = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    columns = {
        index: runtime
        for index, text in enumerate(header)
        for start, runtime in runtimes.items()
        if text.startswith(start)
    }
    assert sorted(columns.values()) == sorted(runtimes.values()), header

    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.select("tbody tr")]
    assert {row[0] for row in rows} >= {"gymnasium", "numpy", "ipython", "xvfb", "pyvirtualdisplay", "libosmesa6"}
    for row in rows:
        name, source = row[0], row[1]
        for index, runtime in columns.items():
            if source == "pip":
                expected = colab_snapshot.pip_versions(runtime).get(colab_snapshot.key(name), "not installed")
            else:
                expected = "installed" if name in colab_snapshot.apt_installed(runtime) else "not installed"
            assert row[index] == expected, (
                f"{name} on Colab {runtime}: the page says {row[index]}, the snapshot {expected}"
            )
