"""The API page (book/api.md): every public name of helpers.render from its docstring, with its source.

And in the chapters, the first mention of each helper links to its entry.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_copy_this import HOW_TO

from conftest import page
from helpers import render


@pytest.fixture(scope="module")
def api(built_book: Path) -> BeautifulSoup:
    return page(built_book, "book/api")


@pytest.mark.parametrize("name", sorted(set(render.__all__)))
def test_the_api_page_documents_each_public_helper_from_its_docstring_with_its_source(
    built_book: Path, api: BeautifulSoup, name: str
) -> None:
    entry = api.select_one(f"dt[id='helpers.render.{name}']")
    assert entry is not None, f"{name} is not on the API page"
    description = " ".join(entry.find_next_sibling("dd").get_text().split())
    obj = getattr(render, name)
    summary = " ".join(inspect.getdoc(obj).split("\n\n")[0].split())
    as_shown = re.sub(r":\w+:`~?([^`]+)`", r"\1", summary).replace("``", "")  # reST roles and literals, as text
    assert as_shown in description, (summary, description[:300])
    if inspect.isfunction(obj):  # its example, as pytest --doctest-modules runs it
        assert ">>>" in entry.find_next_sibling("dd").get_text(), f"{name}: no example shown"

    [source] = [a["href"] for a in entry.select("a.reference.internal") if a.select("span.viewcode-link")]
    module_page, anchor = source.split("#")
    code = BeautifulSoup((built_book / "book" / module_page).read_text(), "html.parser")
    assert module_page == f"../_modules/{obj.__module__.replace('.', '/')}.html"
    block = code.select_one(f"div.viewcode-block[id='{anchor}']")
    assert block is not None and f"{name}" in block.get_text(), f"{name}: {source} shows no code of it"


@pytest.mark.parametrize("chapter", [*HOW_TO, "gallery"])
def test_each_helpers_first_mention_in_a_chapters_prose_links_to_its_api_entry(built_book: Path, chapter: str) -> None:
    soup = page(built_book, f"book/{chapter}")
    seen = set()
    for code in soup.select("main article code"):
        name = code.get_text()
        in_code_or_heading = code.find_parent("div", class_="cell") or code.find_parent(["h1", "h2", "h3", "h4"])
        if name not in render.__all__ or name in seen or in_code_or_heading:
            continue
        seen.add(name)
        link = code.find_parent("a")
        assert link is not None and link["href"].endswith(f"api.html#helpers.render.{name}"), (
            f"{chapter}: the first mention of {name} does not link to its API entry"
        )
    assert seen, f"{chapter} mentions no helper in its prose"
