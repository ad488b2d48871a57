"""Each how-to chapter opens with a `copy-this` cell: a recipe a reader can take away and run anywhere.

The cell uses public packages only, never helpers/. Here each one runs on its own: as the only cell
of a notebook, in a fresh kernel that starts in an empty folder, with no PYTHONPATH and no DISPLAY
(none of them opens a window, so none needs Xvfb), in this repository's virtualenv; and in each
Colab parity environment (`make colab-env`), where it is the cell after the setup cell in the
chapter's notebook run (tests/host_runs.py), which installs what the cell's `pip install` comment
names. The built pages show it first, on the first screen.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path

import jupytext
import nbformat
import pytest
from host_runs import COLAB_VENVS, HostRuns, NotebookRun, colab_environment
from playwright.sync_api import Browser
from test_colab import skip_without
from test_site import browser, site  # noqa: F401 - fixtures

from conftest import ROOT, decode_video, page

HOW_TO = ["setup", "query", "video", "agents", "atari", "mujoco", "box2d_toy_text", "servers", "many", "migrate"]
TAG = "copy-this"
SCREEN = {"width": 1400, "height": 900}
# Run after the cell: where, if anywhere, this kernel would import helpers from.
WHERE_HELPERS = "import importlib.util\nprint(importlib.util.find_spec('helpers'))"


def copy_this(chapter: str) -> str:
    """The source of a chapter's one copy-this cell."""
    [cell] = [
        cell.source for cell in jupytext.read(ROOT / f"book/{chapter}.md").cells if TAG in cell.metadata.get("tags", [])
    ]
    return cell


@pytest.mark.parametrize("chapter", HOW_TO)
def test_the_copy_this_cell_comes_right_after_the_title_and_one_sentence_and_imports_no_helper(chapter: str) -> None:
    notebook = jupytext.read(ROOT / f"book/{chapter}.md")
    first_code = next(index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code")
    before = "\n".join(cell.source for cell in notebook.cells[:first_code])
    title, _, rest = before.partition("\n")
    prose = " ".join(line for line in rest.split("\n") if line.strip() and not line.lstrip().startswith(("[![", "![")))
    sentences = [part for part in re.split(r"(?<=[.!?])\s+", prose.strip()) if part]

    assert TAG in notebook.cells[first_code].metadata.get("tags", []), f"{chapter}: the first code cell"
    assert title.startswith("# ") and len(sentences) <= 1, f"{chapter}: more than one sentence before it: {sentences}"
    assert not re.search(r"^\s*(from|import)\s+helpers\b", copy_this(chapter), re.M)


def run_alone(chapter: str, workdir: Path) -> nbformat.NotebookNode:
    """Execute the chapter's copy-this cell in a fresh kernel of this repository's virtualenv, started in workdir."""
    cells = [copy_this(chapter), WHERE_HELPERS]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell) for cell in cells])
    nbformat.write(notebook, workdir / "alone.ipynb")
    venv = ROOT / ".venv"
    run = subprocess.run(
        [venv / "bin" / "python", ROOT / "tests" / "colab_execute.py", workdir / "alone.ipynb", workdir, "binder"],
        cwd=workdir,
        env=colab_environment(venv),  # no DISPLAY, no PYTHONPATH, this virtualenv's Python first
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, f"it failed on its own:\n{run.stdout[-4000:]}\n{run.stderr[-2000:]}"
    assert json.loads(run.stdout.splitlines()[-1])["cells"] == len(cells)
    return nbformat.read(workdir / "executed.ipynb", as_version=4)


def check_what_it_shows(chapter: str, cell: nbformat.NotebookNode) -> None:
    """The cell ran without an error and shows something; its stderr is explained; its videos decode."""
    assert not [output for output in cell.outputs if output.output_type == "error"], f"{chapter}: {cell.outputs}"
    shown = [output for output in cell.outputs if output.get("name") != "stderr"]
    assert shown, f"{chapter}: the cell shows nothing"
    explained = "\n".join(path.read_text() for path in (ROOT / "book").glob("troubleshooting*.md"))
    for output in cell.outputs:
        if output.get("name") == "stderr":  # what a reader would paste into the search box
            assert output["text"].strip().splitlines()[-1] in explained, output["text"]
    html = "".join(output.get("data", {}).get("text/html", "") for output in shown)
    videos = [decode_video(base64.b64decode(data)) for data in re.findall(r"data:video/mp4;base64,([\w+/=]+)", html)]
    if re.search(r"(?<!Record)Video\(", copy_this(chapter)):  # IPython's Video: the cell films
        assert videos and all(video.frames > 0 and "h264" in video.stream for video in videos), f"{chapter}: {videos}"


@pytest.mark.parametrize("chapter", HOW_TO)
def test_the_copy_this_cell_runs_on_its_own_from_an_empty_folder(chapter: str, tmp_path: Path) -> None:
    workdir = tmp_path / "empty"
    workdir.mkdir()

    *_, cell, where = run_alone(chapter, workdir).cells

    assert where.outputs[0]["text"].strip() == "None", "the kernel could import helpers/"
    check_what_it_shows(chapter, cell)


# On Colab's stack the recipe is the cell after the setup cell, in the chapter's notebook run
# (tests/host_runs.py): a fresh kernel in an empty folder, where the setup cell has installed what
# the recipe's `pip install` comment names and written helpers/ beside the notebook, on purpose.
@pytest.mark.host_environment
@pytest.mark.parametrize("runtime", COLAB_VENVS)
@pytest.mark.parametrize("chapter", [f"book/{name}" for name in HOW_TO])
def test_the_copy_this_cell_runs_right_after_the_setup_cell_on_colabs_stack(
    host_runs: HostRuns[NotebookRun], chapter: str, runtime: str
) -> None:
    outcome = host_runs.result((runtime, chapter))
    skip_without(outcome.missing)
    executed = nbformat.read(outcome.workdir / "executed.ipynb", as_version=4)
    recipe = copy_this(Path(chapter).name)

    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert code[2].source == recipe, f"{chapter}: the cell after the setup cell is not the recipe"
    assert code[2].execution_count is not None, f"{chapter} stopped before its recipe in {runtime}"
    check_what_it_shows(Path(chapter).name, code[2])


@pytest.mark.parametrize("chapter", HOW_TO)
def test_the_built_page_shows_the_copy_this_cell_first_within_the_first_screens(
    built_book: Path,
    site: str,  # noqa: F811 - the fixture
    browser: Browser,  # noqa: F811
    chapter: str,
) -> None:
    soup = page(built_book, f"book/{chapter}")
    cells = soup.select("main div.cell")
    tagged = [cell for cell in cells if f"tag_{TAG}" in cell["class"]]
    assert tagged == cells[:1], f"{chapter}: one copy-this cell, the page's first"
    source = tagged[0].select_one("div.cell_input").get_text()
    assert "helpers" not in source and source.strip() == copy_this(chapter).strip()
    assert tagged[0].select("div.cell_output"), f"{chapter}: the cell's output is not on the page"

    tab = browser.new_page(viewport=SCREEN)
    tab.goto(f"{site}/book/{chapter}.html")
    top = tab.evaluate(
        "() => document.querySelector('main div.cell.tag_copy-this').getBoundingClientRect().top + window.scrollY"
    )
    tab.close()
    assert top < 1.6 * SCREEN["height"], f"{chapter}: the copy-this cell starts {top:.0f} px down"
