"""The built book, as a reader opens it: every chapter's page, with real outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import page
from tools.colab_notebooks import chapters


@pytest.mark.parametrize("chapter", chapters())
def test_every_chapter_has_a_page_with_executed_cells(built_book: Path, chapter: str) -> None:
    cells = page(built_book, chapter).select("div.cell")

    assert cells, f"{chapter} has no code cells"
    assert all(cell.select("div.cell_output") for cell in cells), f"{chapter} has a cell without output"


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
