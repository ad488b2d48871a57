"""book/intro: the whole recipe on one page, run under the build's virtual display."""

from __future__ import annotations

from pathlib import Path

from conftest import page


def test_the_intro_page_was_executed_under_a_virtual_display(built_book: Path) -> None:
    text = page(built_book, "book/intro").get_text()

    assert "X display: :" in text and "X display: none" not in text
