"""The built book, as a reader opens it: every chapter's page, with real outputs."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from jupyter_cache import get_cache

from conftest import ROOT, page
from tools import execute_chapters
from tools.colab_notebooks import chapters


@pytest.mark.parametrize("chapter", chapters())
def test_every_chapter_has_a_page_with_executed_cells(built_book: Path, chapter: str) -> None:
    cells = page(built_book, chapter).select("div.cell")

    assert cells, f"{chapter} has no code cells"
    shown = [cell for cell in cells if "tag_remove-output" not in cell["class"]]  # %xmode's confirmation
    assert all(cell.select("div.cell_output") for cell in shown), f"{chapter} has a cell without output"


@pytest.mark.parametrize("chapter", chapters())
def test_only_cells_tagged_raises_exception_show_errors_and_none_show_stderr(built_book: Path, chapter: str) -> None:
    soup = page(built_book, chapter)

    assert not soup.select("div.output.stderr"), f"stderr output in {chapter}"
    for cell in soup.select("div.cell"):
        if cell.select("div.output.traceback, div.output.error"):
            assert "tag_raises-exception" in cell["class"], f"unexpected error in {chapter}: {cell.get_text()[:500]}"


@pytest.mark.parametrize("chapter", chapters())
def test_each_cell_shows_what_it_printed_as_one_block(built_book: Path, chapter: str) -> None:
    for cell in page(built_book, chapter).select("div.cell"):
        streams = cell.select("div.cell_output > div.output.stream")
        assert len(streams) <= 1, f"{chapter}: printed output split in {len(streams)} blocks: {cell.get_text()[:300]}"


def test_the_execution_cache_holds_each_cells_printed_output_in_one_piece(built_book: Path) -> None:
    """Pieces the kernel sent apart, which myst-nb would join with a newline, even inside a line."""
    cache = get_cache(str(execute_chapters.CACHE))  # what the build just filled
    records = cache.list_cache_records()

    assert len(records) >= len(chapters())
    for record in records:
        code = [cell for cell in cache.get_cache_bundle(record.pk).nb.cells if cell.cell_type == "code"]
        for number, cell in enumerate(code, 1):
            names = [output.name for output in cell.outputs if output.output_type == "stream"]
            assert len(names) == len(set(names)), f"{record.uri}: code cell {number} printed in pieces: {names}"


CODE_COLUMN = 80  # characters: what the page's code column shows without scrolling sideways


@pytest.mark.parametrize("chapter", chapters())
def test_every_line_of_code_fits_the_code_column(built_book: Path, chapter: str) -> None:
    long = [
        line
        for block in page(built_book, chapter).select("div.cell_input pre")
        for line in block.get_text().splitlines()
        if len(line) > CODE_COLUMN
    ]

    assert long == [], f"{len(long)} lines of code in {chapter} are over {CODE_COLUMN} characters: {long[:3]}"


def executed_on(text: str) -> datetime:
    """A date as the pages write it, e.g. '26 November 2026, 02:30' (UTC)."""
    return datetime.strptime(text, "%d %B %Y, %H:%M").replace(tzinfo=timezone.utc)


@pytest.mark.parametrize("chapter", chapters())
def test_every_chapter_says_when_it_was_last_executed_and_with_which_gymnasium(built_book: Path, chapter: str) -> None:
    line = page(built_book, chapter).select_one("main h1 ~ p.build-info")

    assert line is not None, f"{chapter} does not say when it was executed"
    found = re.fullmatch(
        r"Last executed on (.+) UTC with Gymnasium (\S+)(?:, in [\d.]+ s)?\. See the build report\.", line.get_text()
    )
    assert found, line.get_text()
    assert executed_on(found[1]) <= datetime.now(timezone.utc)
    assert found[2] == importlib.metadata.version("gymnasium")
    assert (built_book / chapter).parent.joinpath(line.a["href"]).resolve() == built_book / "build-report.html"


def report_tables(built_book: Path) -> dict[str, list[list[str]]]:
    """The build report's tables: {caption: rows of cell texts}."""
    soup = BeautifulSoup((built_book / "build-report.html").read_text(), "html.parser")
    return {
        table.caption.get_text(): [[cell.get_text() for cell in row.select("td")] for row in table.select("tbody tr")]
        for table in soup.select("main table")
    }


def test_the_build_report_lists_each_chapters_last_execution(built_book: Path) -> None:
    [chapter_rows] = [rows for caption, rows in report_tables(built_book).items() if "last execution" in caption]
    titles = [page(built_book, chapter).select_one("main h1").get_text().strip("#¶ ") for chapter in chapters()]

    assert sorted(row[0] for row in chapter_rows) == sorted(titles)
    for title, executed, how, seconds, succeeded in chapter_rows:
        assert executed_on(executed.removesuffix(" UTC")) <= datetime.now(timezone.utc)
        assert how == "from the execution cache" or how.startswith("executed"), how
        assert seconds == "-" or float(seconds) >= 0
        assert succeeded == "yes", (title, succeeded)


def test_the_build_report_lists_the_python_and_debian_packages_that_built_the_book(built_book: Path) -> None:
    tables = report_tables(built_book)
    [python_rows] = [rows for caption, rows in tables.items() if caption.startswith("Python packages")]
    [debian_rows] = [rows for caption, rows in tables.items() if caption.startswith("Debian packages")]

    def normal(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name.lower())

    installed = {normal(name): version for name, version in python_rows}
    pins = re.findall(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", (ROOT / "requirements.txt").read_text(), re.M)
    assert pins and {normal(name): version for name, version in pins}.items() <= installed.items()
    assert dict(debian_rows).keys() >= {"xvfb", "xauth"}
    if shutil.which("dpkg-query"):
        xvfb = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "xvfb"], capture_output=True, text=True).stdout
        assert dict(debian_rows)["xvfb"] == xvfb


@pytest.mark.parametrize("chapter", [c for c in chapters() if "{chapter-time}`run`" in (ROOT / f"{c}.md").read_text()])
def test_a_chapters_run_time_in_prose_is_its_last_execution_in_the_build_report(built_book: Path, chapter: str) -> None:
    [chapter_rows] = [rows for caption, rows in report_tables(built_book).items() if "last execution" in caption]
    title = page(built_book, chapter).select_one("main h1").get_text().strip("#¶ ")
    [seconds] = [row[3] for row in chapter_rows if row[0] == title]
    text = " ".join(page(built_book, chapter).select_one("main").get_text().split())

    assert "{chapter-time}" not in text and "chapter-time" not in text
    assert re.search(rf"ran in {re.escape(seconds)} s\b", text), f"{chapter}: the page does not say {seconds} s"
    assert re.search(r"Time: about \d+ minutes? to read", text), f"{chapter}: no reading time"


@pytest.mark.parametrize("chapter", chapters())
def test_each_chapter_says_how_long_it_takes_and_links_the_next_one(built_book: Path, chapter: str) -> None:
    soup = page(built_book, chapter)
    sections = {heading.get_text().strip("#¶ \n"): heading.parent for heading in soup.select("section > h2")}
    order = chapters()

    assert "Time:" in sections["Prerequisites"].get_text(), f"{chapter}: Prerequisites without the time it takes"
    if chapter != order[-1]:
        following = Path(order[order.index(chapter) + 1]).name
        links = [a["href"].split("#")[0] for a in sections["What's next"].select("a[href]")]
        assert f"{following}.html" in links, f"{chapter}: What's next does not link {following}"
