"""`make book` in a temporary copy of the repository: rebuilds are never stale; a failing cell fails the build.

The copy builds three chapters, its links to the others made plain text, to keep the suite quick;
the mechanism is the same for every chapter.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_download import downloaded

from conftest import copy_repository, page

CHAPTERS = ["book/intro", "book/query", "book/setup"]  # three quick ones


def make_book(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", "book"], cwd=repo, capture_output=True, text=True)


def warnings_in(build: subprocess.CompletedProcess[str]) -> str:
    """The build's warnings and errors, for a failure message."""
    return "\n".join(line for line in (build.stdout + build.stderr).splitlines() if "WARNING" in line or "rror" in line)


def executed_chapters(build: subprocess.CompletedProcess[str]) -> list[str]:
    """The chapters the build executed: tools/execute_chapters.py's log lines; myst-nb then executed none."""
    log = build.stdout + build.stderr
    assert re.findall(r"/(book/[\w-]+)\.md: Executing notebook", log) == [], "jupyter-book missed the cache"
    return sorted(re.findall(r"^Executed (book/[\w-]+)\.md in ", log, re.M))


@pytest.fixture(scope="module")
def built_copy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the repository with its build (and execution cache), sharing .venv, built once; and its snapshot.

    The snapshot keeps the files' times, so a copy put back from it is as the build left it.
    """
    base = tmp_path_factory.mktemp("rebuilds")
    copy = copy_repository(base / "repo", with_build=True)
    toc = "format: jb-book\nroot: book/setup\nchapters:\n  - file: book/query\n  - file: book/intro\n"
    (copy / "_toc.yml").write_text(toc)
    for chapter in CHAPTERS:  # a link to a chapter left out becomes its plain name (prose only: the cache holds)
        source = copy / f"{chapter}.md"
        source.write_text(
            re.sub(
                r"\{doc\}`([\w-]+)`", lambda m: m[0] if f"book/{m[1]}" in CHAPTERS else f"`{m[1]}`", source.read_text()
            )
        )
    first = make_book(copy)
    assert first.returncode == 0, warnings_in(first)
    snapshot = base / "snapshot"
    shutil.copytree(copy, snapshot, symlinks=True)
    return copy, snapshot


@pytest.fixture
def repo_copy(built_copy: tuple[Path, Path]) -> Path:
    """The built copy as its first build left it, put back from the snapshot for each test.

    It goes back in the same folder: Sphinx and the execution cache know the folder they built in.
    """
    copy, snapshot = built_copy
    shutil.rmtree(copy)
    shutil.copytree(snapshot, copy, symlinks=True)
    return copy


def test_a_rebuild_with_no_change_executes_and_rereads_nothing(repo_copy: Path) -> None:
    rebuild = make_book(repo_copy)

    assert rebuild.returncode == 0
    assert executed_chapters(rebuild) == []
    assert "0 added, 0 changed, 0 removed" in rebuild.stdout


def test_a_change_to_helpers_re_executes_and_re_renders_every_chapter(repo_copy: Path) -> None:
    setup_check = repo_copy / "helpers" / "setup_check.py"
    changed = setup_check.read_text().replace('"Setup check"', '"Setup check, by the changed helper"')
    assert changed != setup_check.read_text(), "the table caption this test changes has moved"
    setup_check.write_text(changed)

    rebuild = make_book(repo_copy)

    assert rebuild.returncode == 0, warnings_in(rebuild)
    assert executed_chapters(rebuild) == CHAPTERS
    assert "Setup check, by the changed helper" in page(repo_copy / "_build" / "html", "book/setup").get_text()


def test_a_change_to_requirements_re_executes_every_chapter(repo_copy: Path) -> None:
    requirements = repo_copy / "requirements.txt"
    requirements.write_text(requirements.read_text() + "# a changed pin would go here\n")

    rebuild = make_book(repo_copy)

    assert rebuild.returncode == 0, warnings_in(rebuild)
    assert executed_chapters(rebuild) == CHAPTERS


def test_a_regenerated_notebook_reaches_the_download_button_and_executes_nothing(repo_copy: Path) -> None:
    notebook = repo_copy / "book" / "setup.ipynb"  # as `make notebooks` rewrites it when its setup cell changed
    regenerated = notebook.read_text().replace("# @title Setup: run me first", "# @title Setup: run me first (new)")
    assert regenerated != notebook.read_text(), "the setup cell's title this test changes has moved"
    notebook.write_text(regenerated)

    rebuild = make_book(repo_copy)

    assert rebuild.returncode == 0, warnings_in(rebuild)
    assert executed_chapters(rebuild) == []
    assert downloaded(repo_copy / "_build" / "html", "book/setup").read_text() == regenerated


def test_a_cell_that_raises_unexpectedly_fails_the_build_and_is_named(repo_copy: Path) -> None:
    setup = repo_copy / "book" / "setup.md"
    failing_cell = '```{code-cell} ipython3\nraise RuntimeError("a cell that fails on purpose")\n```\n'
    setup.write_text(setup.read_text() + "\n" + failing_cell)

    build = make_book(repo_copy)

    log = build.stdout + build.stderr
    assert build.returncode != 0
    number = setup.read_text().count("```{code-cell}")  # the appended cell is the last
    failure = re.search(rf"^FAILED book/setup\.md: code cell {number} failed: CellExecutionError$", log, re.M)
    assert failure, log[-3000:]
    assert "jupyter-book build" not in build.stdout  # the build stops before Sphinx
    assert 'raise RuntimeError("a cell that fails on purpose")' in log[failure.end() :]
    assert "RuntimeError: a cell that fails on purpose" in re.sub(r"\x1b\[[0-9;]*m", "", log)
