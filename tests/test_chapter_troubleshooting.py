"""book/troubleshooting: each message people paste, findable by search, with its cause and fix."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from conftest import cells, page

# The messages the page must carry, as a reader pastes them (the distinctive part).
REPRODUCED = [  # executed in the build: the page shows them as real output
    'pyglet.canvas.xlib.NoSuchDisplayException: Cannot connect to "None"',
    "FileNotFoundError: [Errno 2] No such file or directory: 'Xvfb'",
    "E: Unable to locate package python-opengl",
    "render() got an unexpected keyword argument 'mode'",
    "Render mode is None, which is incompatible with RecordVideo",
    "moviepy is not installed",
    "Environment `PongNoFrameskip` doesn't exist",
    "Namespace ALE not found",
    "ROM is missing for pong",
    "module 'numpy' has no attribute 'bool8'",
    "X11: The DISPLAY environment variable is missing",
    "an OpenGL platform library has not been loaded into this process",
    "invalid value for environment variable MUJOCO_GL",
]
QUOTED = [  # cannot happen in this build, or not in these words: quoted, with a link to a report or its fix
    "pygame.error: No available video device",
    "'RecordVideo' object has no attribute 'recorded_frames'",
    "invalid value for environment variable MUJOCO_GL",
]


@pytest.fixture(scope="module")
def troubleshooting(built_book: Path) -> BeautifulSoup:
    return page(built_book, "book/troubleshooting")


def section_of(soup: BeautifulSoup, message: str) -> Tag:
    """The section whose heading carries the message."""
    matches = [h.find_parent("section") for h in soup.select("h2, h3") if message.lower() in h.get_text().lower()]
    assert len(matches) == 1, f"{len(matches)} headings carry {message!r}"
    return matches[0]


@pytest.mark.parametrize("message", REPRODUCED)
def test_each_reproducible_message_heads_a_section_and_comes_from_execution(
    troubleshooting: BeautifulSoup, message: str
) -> None:
    section = section_of(troubleshooting, message)
    outputs = [cell.output for cell in cells(section)]

    assert any(message.lower() in output.lower() for output in outputs), f"{message!r} is not in an executed output"
    assert "Cause" in section.get_text() and "Fix" in section.get_text()


@pytest.mark.parametrize("message", QUOTED)
def test_each_quoted_message_heads_a_section_with_the_report_it_came_from(
    troubleshooting: BeautifulSoup, message: str
) -> None:
    section = section_of(troubleshooting, message)
    links = [a["href"] for a in section.select("a.reference.external")]

    assert any(href.startswith("https://github.com/") and ("/issues/" in href or "/pull/" in href) for href in links)
    assert "Cause" in section.get_text() and "Fix" in section.get_text()


def test_failing_cells_are_tagged_and_subprocess_reproductions_print_a_failing_exit_status(
    troubleshooting: BeautifulSoup,
) -> None:
    page_cells = cells(troubleshooting)
    errors = [cell for cell in page_cells if cell.error]
    by_subprocess = [cell for cell in page_cells if cell.source.startswith("run_without_display(")]

    assert errors and all(cell.tagged_to_raise for cell in errors)
    assert sum(cell.output.startswith("exit status 1\n") for cell in by_subprocess) >= 5
    # each fix shown through a subprocess runs to the end
    assert any("pyglet connected to the virtual display :" in cell.output for cell in by_subprocess)


def test_the_table_at_the_top_links_every_message_to_its_section(troubleshooting: BeautifulSoup) -> None:
    [table] = [t for t in troubleshooting.select("table") if "each links to its section" in t.get_text()]
    ids = {tag["id"] for tag in troubleshooting.select("[id]")}
    rows = table.select("tbody tr")

    for message in REPRODUCED + QUOTED:
        [row] = [r for r in rows if message.lower() in r.get_text().lower()] or [None]
        assert row is not None, f"no row for {message!r}"
        [link] = row.select("a[href^='#']")
        assert link["href"][1:] in ids


@pytest.mark.parametrize("message", REPRODUCED + QUOTED)
def test_the_site_search_index_has_a_title_for_each_message(built_book: Path, message: str) -> None:
    text = (built_book / "searchindex.js").read_text()
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    troubleshooting = index["docnames"].index("book/troubleshooting")
    titles = [
        title
        for title, places in index["alltitles"].items()
        if any(place[0] == troubleshooting for place in places) and message.lower() in title.lower()
    ]

    assert titles, f"no searchable title on the troubleshooting page carries {message!r}"


def test_the_moviepy_section_shows_both_wordings_gymnasium_uses(troubleshooting: BeautifulSoup) -> None:
    outputs = "\n".join(cell.output for cell in cells(section_of(troubleshooting, "MoviePy is not installed")))

    assert 'DependencyNotInstalled: moviepy is not installed, run `pip install "gymnasium[other]"`' in outputs
    assert 'DependencyNotInstalled: MoviePy is not installed, run `pip install "gymnasium[other]"`' in outputs


def test_the_python_opengl_section_names_the_system_that_built_the_page(troubleshooting: BeautifulSoup) -> None:
    section = section_of(troubleshooting, "Unable to locate package python-opengl")

    assert [span.get_text() for span in section.select("span.pasted-text")] == [
        platform.freedesktop_os_release()["PRETTY_NAME"]
    ]
