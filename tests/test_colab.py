"""The "Open in Colab" button: it opens the chapter's committed notebook, which runs on Colab's stack.

The notebooks (book/*.ipynb) are made from the chapters by tools/colab_notebooks.py (`make notebooks`).
The last test runs each one as Colab would: in .venv-colab (Python 3.13 with Colab's package
versions, `make colab-env`), with ``google.colab`` importable, no DISPLAY, and the working tree
standing in for the repository that the setup cell downloads helpers/ from.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import pytest

from conftest import ROOT, page, report
from helpers import render
from tools import colab_notebooks
from tools.colab_notebooks import chapters

COLAB_VENV = ROOT / ".venv-colab"
COLAB_BIN = COLAB_VENV / "bin"


def code_cells(notebook: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("chapter", chapters())
def test_the_colab_button_opens_the_chapters_committed_notebook(built_book: Path, chapter: str) -> None:
    soup = page(built_book, chapter)
    links = [a["href"] for a in soup.select("a[href^='https://colab.research.google.com/']")]

    assert links == [colab_notebooks.colab_link(chapter)]
    assert links[0].endswith(f"/blob/main/{chapter}.ipynb")
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", f"{chapter}.ipynb"], cwd=ROOT, capture_output=True)
    assert tracked.returncode == 0, f"{chapter}.ipynb is not committed: git add it"


@pytest.mark.parametrize("chapter", chapters())
def test_the_notebook_is_the_chapter_after_one_setup_cell(chapter: str) -> None:
    notebook = nbformat.read(ROOT / f"{chapter}.ipynb", as_version=4)
    nbformat.validate(notebook)

    setup, *rest = code_cells(notebook)
    assert '"google.colab" in sys.modules' in setup
    assert rest == code_cells(jupytext.read(ROOT / f"{chapter}.md"))
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert not re.search(r"\{(doc|ref|glue)[:\w]*\}`|^\([\w-]+\)=$", markdown, re.M), "MyST that Colab would show raw"
    glued = re.findall(r"\{glue[:\w]*\}`([\w-]+)`", (ROOT / f"{chapter}.md").read_text())
    for name in glued:  # shown as `name`, which the cell that computes it prints on Colab
        assert f"`{name}`" in markdown and any(f'glue("{name}",' in cell for cell in rest)
    for target in re.findall(
        r"\]\(https://colab\.research\.google\.com/github/[^/]+/[^/]+/blob/main/([^)]+)\.ipynb\)", markdown
    ):
        assert target in chapters(), f"{chapter} links to {target}, which is not a chapter"


def test_every_committed_notebook_is_what_make_notebooks_writes() -> None:
    assert colab_notebooks.stale_notebooks() == [], "a chapter changed: run make notebooks, and commit book/*.ipynb"


def test_the_setup_cell_does_nothing_outside_colab(tmp_path: Path) -> None:
    setup = code_cells(nbformat.read(ROOT / "book/setup.ipynb", as_version=4))[0]

    run = subprocess.run([sys.executable, "-c", setup], cwd=tmp_path, capture_output=True, text=True)

    assert (run.returncode, run.stdout, run.stderr) == (0, "Not on Colab: this cell does nothing.\n", "")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="session")
def colab_python() -> Path:
    """The Python of .venv-colab, made by `make colab-env`; the tests skip where there is no Python 3.13."""
    made = subprocess.run(["make", "--no-print-directory", "colab-env"], cwd=ROOT, capture_output=True, text=True)
    if "No Python 3.13 found" in made.stdout + made.stderr:
        pytest.skip("no Python 3.13 on this machine for a Colab-like environment (make colab-env)")
    assert made.returncode == 0, f"make colab-env failed:\n{made.stdout[-4000:]}\n{made.stderr[-4000:]}"
    return COLAB_BIN / "python"


def restore_colab_env() -> None:
    """Put .venv-colab back as `make colab-env` made it: a notebook's setup cell installs into it."""
    pip = [str(COLAB_BIN / "python"), "-m", "pip", "--quiet", "--disable-pip-version-check"]
    pristine = set((COLAB_VENV / "pristine.txt").read_text().splitlines())
    now = set(subprocess.run([*pip, "freeze"], capture_output=True, text=True, check=True).stdout.splitlines())
    if added := sorted(line.split("==")[0] for line in now - pristine):
        subprocess.run([*pip, "uninstall", "--yes", *added], capture_output=True, check=True)
    if changed := sorted(pristine - now):
        subprocess.run([*pip, "install", "--no-deps", *changed], capture_output=True, check=True)


def colab_environment() -> dict[str, str]:
    """This environment as a Colab kernel sees it: no display, no path to helpers/, Colab's Python first."""
    ours = {str(ROOT / ".venv" / "bin"), str(COLAB_BIN)}
    path = [str(COLAB_BIN), *(p for p in os.environ["PATH"].split(os.pathsep) if p not in ours)]
    unset = {"DISPLAY", "PYTHONPATH", "VIRTUAL_ENV", "MUJOCO_GL", "PYOPENGL_PLATFORM"}
    environment = {name: value for name, value in os.environ.items() if name not in unset}
    return {**environment, "PATH": os.pathsep.join(path), colab_notebooks.REPOSITORY_VARIABLE: str(ROOT)}


_RUNS: list[str] = []


@pytest.mark.parametrize("chapter", chapters())
def test_the_notebook_runs_top_to_bottom_on_colabs_stack(colab_python: Path, chapter: str) -> None:
    start = time.monotonic()
    restore_colab_env()
    workdir = ROOT / "_build" / "colab" / Path(chapter).name  # Colab's /content
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)

    run = subprocess.run(
        [colab_python, ROOT / "tests" / "colab_execute.py", ROOT / f"{chapter}.ipynb", workdir],
        cwd=workdir,
        env=colab_environment(),
        capture_output=True,
        text=True,
    )

    assert run.returncode == 0, f"{chapter}.ipynb failed on Colab's stack:\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"
    result = json.loads(run.stdout.splitlines()[-1])
    for helper in (ROOT / "helpers").glob("*.py"):
        assert (workdir / "helpers" / helper.name).read_bytes() == helper.read_bytes(), f"{helper.name} not fetched"
    # the whole troubleshooting part: the index page and one page per area
    explained = "\n".join(path.read_text() for path in sorted((ROOT / "book").glob("troubleshooting*.md")))
    last_lines = [text.strip().splitlines()[-1] for text in result["stderr"]]  # what a reader would search for
    for line, text in zip(last_lines, result["stderr"]):
        assert line in explained, f"{chapter}: stderr on Colab, not in the troubleshooting part:\n{text}"
    stderr = f", stderr: {' | '.join(line[:200] for line in last_lines)}" if last_lines else ""
    if not _RUNS:
        report("Chapters run as Colab notebooks (.venv-colab, Python 3.13)", _RUNS)
    _RUNS.append(f"{time.monotonic() - start:6.1f} s  {chapter}: {result['cells']} cells{stderr}")


def test_the_setup_cell_fetches_every_helper_module_so_each_public_name_imports_on_colab(
    colab_python: Path, tmp_path: Path
) -> None:
    restore_colab_env()
    setup = code_cells(nbformat.read(ROOT / "book/setup.ipynb", as_version=4))[0]
    check = "import helpers.render as r\nprint(sorted(r.__all__), [n for n in r.__all__ if not hasattr(r, n)])"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(setup), nbformat.v4.new_code_cell(check)])
    nbformat.write(notebook, tmp_path / "check.ipynb")

    run = subprocess.run(
        [colab_python, ROOT / "tests" / "colab_execute.py", tmp_path / "check.ipynb", tmp_path],
        cwd=tmp_path,
        env=colab_environment(),
        capture_output=True,
        text=True,
    )

    assert run.returncode == 0, f"the helpers do not import on Colab's stack:\n{run.stdout[-4000:]}"
    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    printed = executed.cells[-1].outputs[0]["text"].strip()
    assert printed == f"{sorted(render.__all__)} []"
