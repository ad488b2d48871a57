"""The troubleshooting part: each message people paste heads a section, produced by execution, findable by search."""

from __future__ import annotations

import functools
import json
import platform
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup, Tag
from playwright.sync_api import Browser
from test_site import browser, site  # noqa: F401, F811  (fixtures: the built site served, and Chromium)

from conftest import ROOT, cells, page
from helpers.setup_check import TROUBLESHOOTING

INDEX = "book/troubleshooting"
PAGES = [f"book/troubleshooting-{area}" for area in ("display", "opengl", "install", "video", "api")]
QUOTED_MARK = "Not executed here"


def messages_in_source() -> list[tuple[str, str, str]]:
    """(page, label, heading) of every message section, read from the pages' MyST source."""
    found = []
    for chapter in PAGES:
        text = (ROOT / f"{chapter}.md").read_text()
        for label, heading in re.findall(r"^\((ts-[\w-]+)\)=\n## (.+)$", text, re.M):
            found.append((chapter, label, " ".join(re.sub(r"^``? ?|`? ?`$", "", heading).split())))
    return found


MESSAGES = messages_in_source()


@functools.cache
def soup_of(built_book: Path, chapter: str) -> BeautifulSoup:
    return page(built_book, chapter)


def section_of(soup: BeautifulSoup, label: str) -> Tag:
    """The section that the label (``(ts-...)=`` before its heading, an empty span in it) points to."""
    target = soup.find(id=label)
    assert target is not None, f"no element with id {label!r}"
    return target if target.name == "section" else target.find_parent("section")


def heading_text(section: Tag) -> str:
    heading = BeautifulSoup(str(section.find(["h1", "h2"])), "html.parser")
    for link in heading.select("a.headerlink"):
        link.decompose()
    return " ".join(heading.get_text().split())


def printed_lines(section: Tag) -> list[str]:
    """Every line printed by the section's cells, stripped."""
    return [" ".join(line.split()) for cell in cells(section) for line in cell.output.splitlines()]


def is_printed(heading: str, lines: list[str]) -> bool:
    """The heading is a printed line; an ImportError's trailing ``(/path/to/module.py)`` may be left off."""
    return any(line == heading or (line.startswith(heading + " (") and line.endswith(")")) for line in lines)


def test_the_part_has_at_least_45_messages_and_80_percent_executed(built_book: Path) -> None:
    executed = [
        (chapter, label)
        for chapter, label, heading in MESSAGES
        if is_printed(heading, printed_lines(section_of(soup_of(built_book, chapter), label)))
    ]

    assert len(MESSAGES) >= 45, f"{len(MESSAGES)} messages"
    assert len(set(heading for _, _, heading in MESSAGES)) == len(MESSAGES), "a message heads two sections"
    assert len(executed) / len(MESSAGES) >= 0.8, f"{len(executed)} of {len(MESSAGES)} executed"


@pytest.mark.parametrize(("chapter", "label", "heading"), MESSAGES, ids=[label for _, label, _ in MESSAGES])
def test_each_heading_is_what_execution_printed_or_says_why_it_is_quoted(
    built_book: Path, chapter: str, label: str, heading: str
) -> None:
    section = section_of(soup_of(built_book, chapter), label)
    text = section.get_text()

    assert heading_text(section) == heading  # smartquotes off: the title is the message as printed
    if QUOTED_MARK in text:
        assert not cells(section), "a quoted message runs nothing"
    else:
        assert is_printed(heading, printed_lines(section)), f"no cell in its section printed {heading!r}"
    for part in ("Where", "Cause", "Fix", "Versions", "Reported"):
        assert f"{part}:" in text, f"{label} has no {part}"


def test_failing_cells_are_tagged_and_reproductions_print_an_exit_status(built_book: Path) -> None:
    for chapter in PAGES:
        page_cells = cells(soup_of(built_book, chapter))
        assert all(cell.tagged_to_raise for cell in page_cells if cell.error), chapter
        assert sum(bool(re.match(r"exit status [1-9]", cell.output)) for cell in page_cells) >= 4, chapter
    display_cells = cells(soup_of(built_book, "book/troubleshooting-display"))
    assert any("pyglet connected to the virtual display :" in cell.output for cell in display_cells)


def test_the_index_table_links_every_section_grouped_by_page(built_book: Path) -> None:
    index = soup_of(built_book, INDEX)
    [table] = [t for t in index.select("table") if "each links to its section" in t.get_text()]
    links = [a["href"] for a in table.select("tbody a[href*='#ts-']")]

    assert sorted(links) == sorted(f"{Path(chapter).name}.html#{label}" for chapter, label, _ in MESSAGES)
    order = [Path(href.split("#")[0]).stem for href in links]
    assert order == sorted(order, key=lambda name: [Path(c).name for c in PAGES].index(name)), "not grouped by page"


def test_each_message_is_a_main_index_entry_of_its_page(built_book: Path) -> None:
    """The site's search ranks a main index entry that holds the pasted text above pages that only mention it."""
    script = (built_book / "searchindex.js").read_text()
    index = json.loads(script[script.index("(") + 1 : script.rindex(")")])

    for chapter, _, heading in MESSAGES:
        entries = index["indexentries"].get(heading.lower(), [])
        pages = [(index["docnames"][file], is_main) for file, _, is_main in entries]
        assert pages == [(chapter, True)], f"{heading!r}: {pages}"


def test_each_page_says_to_paste_only_the_last_line(built_book: Path) -> None:
    for chapter in [INDEX, *PAGES]:
        assert "paste only the last line" in " ".join(soup_of(built_book, chapter).get_text().lower().split()), chapter


def test_check_setup_names_sections_that_exist() -> None:
    headings = {(chapter, heading) for chapter, _, heading in MESSAGES}
    for name, (chapter, heading) in TROUBLESHOOTING.items():
        assert (chapter, heading) in headings, f"check_setup names a missing section for {name}"


def test_the_python_opengl_section_names_the_system_that_built_the_page(built_book: Path) -> None:
    section = section_of(soup_of(built_book, "book/troubleshooting-install"), "ts-python-opengl")

    assert [span.get_text() for span in section.select("span.pasted-text")] == [
        platform.freedesktop_os_release()["PRETTY_NAME"]
    ]


@pytest.mark.parametrize(("chapter", "label", "heading"), MESSAGES, ids=[label for _, label, _ in MESSAGES])
def test_pasting_the_message_into_the_site_search_finds_its_page_first(
    site: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    chapter: str,
    label: str,
    heading: str,
) -> None:
    tab = browser.new_page()
    tab.goto(f"{site}/search.html?q={quote(heading)}", wait_until="load")
    tab.wait_for_selector("#search-results .search-summary", timeout=30_000)
    results = tab.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")
    tab.close()

    assert results, f"no result for {heading!r}"
    assert results[0].split("?")[0].split("#")[0].endswith(f"{chapter}.html"), f"first result {results[0]}"
