"""The download menu's .ipynb is the runnable notebook, the one the launch buttons open, and it runs elsewhere.

sphinx-book-theme offers the build's executed notebook, which has no setup cell and fails at its first
import of helpers anywhere but in this repository; tools/launch_links.py serves book/<chapter>.ipynb.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import nbformat
import pytest
from host_runs import colab_environment
from test_colab import code_cells

from conftest import ROOT, page
from tools import colab_notebooks
from tools.colab_notebooks import chapters


def downloaded(built_book: Path, chapter: str) -> Path:
    """The file that the page's .ipynb download button links to, in the built site."""
    links = page(built_book, chapter).select("a[href$='.ipynb']")
    [link] = [a["href"] for a in links if a.get_text().strip() == ".ipynb"]
    return built_book / urljoin(f"{chapter}.html", link)


@pytest.mark.parametrize("chapter", chapters())
def test_the_ipynb_download_is_the_notebook_with_the_setup_cell(built_book: Path, chapter: str) -> None:
    notebook = downloaded(built_book, chapter)

    assert notebook.read_bytes() == (ROOT / f"{chapter}.ipynb").read_bytes()
    assert code_cells(nbformat.read(notebook, as_version=4))[0].startswith(colab_notebooks.SETUP_TITLE)


def test_the_downloaded_video_notebook_runs_in_an_empty_folder_away_from_the_repository(
    built_book: Path, tmp_path: Path
) -> None:
    workdir = tmp_path / "downloads"  # outside the repository, with nothing in it but the download
    workdir.mkdir()
    notebook = shutil.copy(downloaded(built_book, "book/video"), workdir / "video.ipynb")

    run = subprocess.run(  # no PYTHONPATH, no DISPLAY: as in a reader's own Jupyter
        [sys.executable, ROOT / "tests" / "colab_execute.py", notebook, workdir, "binder"],
        cwd=workdir,
        env=colab_environment(ROOT / ".venv"),
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert run.returncode == 0, f"the downloaded notebook failed:\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"
    executed = nbformat.read(workdir / "executed.ipynb", as_version=4)
    assert json.loads(run.stdout.splitlines()[-1])["cells"] == len(nbformat.read(notebook, as_version=4).cells)
    said = "".join(output.get("text", "") for output in executed.cells[1].outputs)
    assert said.strip().startswith("Ready for book/video.md"), said
    assert (workdir / "helpers" / "render.py").read_bytes() == (ROOT / "helpers" / "render.py").read_bytes()
