"""The "Open in Colab" button: it opens the chapter's committed notebook, which runs on Colab's stack.

The notebooks (book/*.ipynb) are made from the chapters by tools/colab_notebooks.py (`make notebooks`).
Colab's versions come from the committed snapshot of its runtimes (tools/colab/, read by
tools/colab_snapshot.py). The notebook tests run each one as Colab would, in each runtime the book
is tested on: in .venv-colab (the current runtime, Python 3.13) and .venv-colab-2026.07 (Python
3.12), made by `make colab-env` with the snapshot's versions, with ``google.colab`` importable and
no DISPLAY; and once more in Binder's environment (.venv-binder from binder/, `make binder-env`), as
a host that is not Colab. Each notebook carries its helpers/, so no repository stands in for anything.
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
from tools import colab_notebooks, colab_snapshot
from tools.colab_notebooks import chapters

# Each Colab runtime the notebooks run in, and its virtualenv (see the Makefile's colab-env).
COLAB_VENVS = {"latest": ROOT / ".venv-colab", "2026.07": ROOT / ".venv-colab-2026.07"}
# Every environment the notebooks run in: Colab's runtimes, and Binder's (the Makefile's binder-env).
VENVS = {**COLAB_VENVS, "binder": ROOT / ".venv-binder"}


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
    assert setup.startswith(colab_notebooks.SETUP_TITLE)
    assert rest == code_cells(jupytext.read(ROOT / f"{chapter}.md"))
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    raw_myst = r"\{(doc|ref|glue|py)[:\w]*\}`|^\([\w-]+\)=$"  # roles and labels, which Colab shows as typed
    assert not re.search(raw_myst, markdown, re.M), "MyST that Colab would show raw"
    glued = re.findall(r"\{glue[:\w]*\}`([\w-]+)`", (ROOT / f"{chapter}.md").read_text())
    for name in glued:  # shown as `name`, which the cell that computes it prints on Colab
        assert f"`{name}`" in markdown and any(f'glue("{name}",' in cell for cell in rest)
    for target in re.findall(
        r"\]\(https://colab\.research\.google\.com/github/[^/]+/[^/]+/blob/main/([^)]+)\.ipynb\)", markdown
    ):
        assert target in chapters(), f"{chapter} links to {target}, which is not a chapter"


def test_every_committed_notebook_is_what_make_notebooks_writes() -> None:
    assert colab_notebooks.stale_notebooks() == [], "a chapter changed: run make notebooks, and commit book/*.ipynb"


def front_matter(chapter: str) -> dict:
    return jupytext.read(ROOT / f"{chapter}.md").metadata.get("colab_setup") or {}


@pytest.mark.parametrize("chapter", chapters())
def test_a_pin_that_differs_from_colabs_version_says_so_and_why_in_the_front_matter(chapter: str) -> None:
    wants = front_matter(chapter)
    colab = colab_snapshot.pip_versions("latest")
    pins = dict(pin.split("==") for pin in [*colab_notebooks.DEFAULT_PIP, *wants.get("pip", [])])
    assert all(version for version in pins.values()), f"{chapter}: pin exact versions (name==version)"
    differs = {name for name, version in pins.items() if colab.get(colab_snapshot.key(name), version) != version}
    declared = wants.get("over_colab", {})

    assert differs == set(declared), (
        f"{chapter}: pins that replace Colab's version (tools/colab/latest/pip-freeze.txt) must be declared in "
        f"colab_setup.over_colab with the reason, and only those: differ {sorted(differs)}, declared {sorted(declared)}"
    )
    for name in differs:
        assert colab[colab_snapshot.key(name)] in declared[name] and pins[name] in declared[name], (
            f"{chapter}: the reason for {name} names both versions, Colab's {colab[colab_snapshot.key(name)]} "
            f"and {pins[name]}"
        )


@pytest.mark.parametrize("runtime", colab_snapshot.RUNTIMES)
def test_the_colab_environments_versions_are_the_snapshots(runtime: str) -> None:
    venv = COLAB_VENVS[runtime]
    colab_python(runtime)  # makes the virtualenv if it is not there yet
    frozen = (venv / "pristine.txt").read_text().splitlines()
    installed = {colab_snapshot.key(n): v for n, v in (line.split("==") for line in frozen if "==" in line)}
    colab = colab_snapshot.pip_versions(runtime)
    wanted = [
        colab_snapshot.key(line)
        for line in (ROOT / "tests" / "colab-requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]

    assert {name: installed.get(name) for name in wanted} == {name: colab[name] for name in wanted}
    assert {n: v for n, v in installed.items() if n in colab and colab[n] != v} == {}, "a dependency not at Colab's"
    assert installed["ipython"] == "7.34.0"  # Colab's old notebook machinery is what the notebooks meet


def run_setup_cell(chapter: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    setup = code_cells(nbformat.read(ROOT / f"{chapter}.ipynb", as_version=4))[0]
    return subprocess.run(
        [sys.executable, "-c", setup], cwd=cwd, capture_output=True, text=True, env={**os.environ, **env}
    )


def test_the_setup_cell_writes_the_helpers_it_was_made_with_and_installs_nothing_that_is_there(tmp_path: Path) -> None:
    run = run_setup_cell("book/setup", tmp_path)

    assert (run.returncode, run.stdout, run.stderr) == (
        0,
        f"Ready for book/setup.md: {len(list((ROOT / 'helpers').glob('*.py')))} helper files written next to this "
        "notebook.\n",
        "",
    )
    for helper in (ROOT / "helpers").glob("*.py"):
        assert (tmp_path / "helpers" / helper.name).read_bytes() == helper.read_bytes(), helper.name


def test_without_apt_or_xvfb_the_setup_cell_ends_with_one_line_that_says_what_is_missing_and_what_works(
    tmp_path: Path,
) -> None:
    bare = tmp_path / "bin"  # a host without dpkg, apt-get and Xvfb on its PATH
    bare.mkdir()

    run = run_setup_cell("book/setup", tmp_path, PATH=str(bare))

    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == (
        "Missing here: xvfb, xauth (no apt-get on this host). The cells that need them fail (xvfb: a virtual "
        "display, for render_mode='human' and start_virtual_display(); xauth: xvfb-run); the rest of "
        "book/setup.md runs: rgb_array rendering and videos need neither.\n"
    )


def test_a_notebook_keeps_its_own_helpers_when_the_repository_has_changed_them(tmp_path: Path) -> None:
    """A notebook saved before a helpers change, opened next to a checkout where helpers/ moved on."""
    old = tmp_path / "old.ipynb"  # the notebook as made before the change
    old.write_text(colab_notebooks.notebook("book/video"))
    changed = tmp_path / "repository"  # the repository after the change: render.py split away
    shutil.copytree(ROOT / "helpers", changed / "helpers")
    (changed / "helpers" / "render.py").write_text("raise ImportError('render.py was split into modules')\n")
    workdir = changed / "book"
    workdir.mkdir()
    notebook = nbformat.read(old, as_version=4)
    setup = code_cells(notebook)[0]
    check = "import helpers.render as r\nprint(r.__file__, sorted(r.__all__) == " + repr(sorted(render.__all__)) + ")"

    run = subprocess.run(
        [sys.executable, "-c", f"{setup}\n{check}"],
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(changed)},
        capture_output=True,
        text=True,
    )

    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.splitlines()[-1] == f"{workdir / 'helpers' / 'render.py'} True"


def colab_python(runtime: str) -> Path:
    """The Python of an environment's virtualenv, made by make; skip where there is no such Python."""
    made = subprocess.run(
        ["make", "--no-print-directory", f"{VENVS[runtime].name}/installed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if "No Python" in made.stdout + made.stderr:
        pytest.skip(made.stdout.strip().splitlines()[-1])
    assert made.returncode == 0, f"make {VENVS[runtime].name} failed:\n{made.stdout[-4000:]}\n{made.stderr[-4000:]}"
    return VENVS[runtime] / "bin" / "python"


LOST_FILES = """
import importlib.metadata, pathlib
for dist in importlib.metadata.distributions():
    record = dist.read_text("RECORD") or ""  # read by hand: csv misreads some RECORDs (pygame's)
    paths = [line.rsplit(",", 2)[0].strip('"') for line in record.splitlines() if line]
    if any(not pathlib.Path(dist.locate_file(p)).exists() for p in paths if "__pycache__" not in p):
        print(f"{dist.metadata['Name']}=={dist.version}")
"""


def restore_colab_env(venv: Path) -> None:
    """Put a Colab virtualenv back as `make colab-env` made it: a notebook's setup cell installs into it."""
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--quiet", "--disable-pip-version-check"]
    pristine = set((venv / "pristine.txt").read_text().splitlines())
    now = set(subprocess.run([*pip, "freeze"], capture_output=True, text=True, check=True).stdout.splitlines())
    if added := sorted(line.split("==")[0] for line in now - pristine):
        subprocess.run([*pip, "uninstall", "--yes", *added], capture_output=True, check=True)
    if changed := sorted(pristine - now):
        subprocess.run([*pip, "install", "--no-deps", *changed], capture_output=True, check=True)
    # Two distributions can install the same module (pygame-ce and pygame both install pygame/):
    # uninstalling the added one deletes files of the one Colab has, so reinstall what lost files.
    lost = subprocess.run([venv / "bin" / "python", "-c", LOST_FILES], capture_output=True, text=True, check=True)
    if damaged := lost.stdout.split():
        subprocess.run([*pip, "install", "--no-deps", "--force-reinstall", *damaged], capture_output=True, check=True)


def colab_environment(venv: Path) -> dict[str, str]:
    """This environment as a Colab kernel sees it: no display, no path to helpers/, Colab's Python first."""
    ours = {str(ROOT / ".venv" / "bin"), *(str(v / "bin") for v in VENVS.values())}
    path = [str(venv / "bin"), *(p for p in os.environ["PATH"].split(os.pathsep) if p not in ours)]
    unset = {"DISPLAY", "PYTHONPATH", "VIRTUAL_ENV", "MUJOCO_GL", "PYOPENGL_PLATFORM"}
    environment = {name: value for name, value in os.environ.items() if name not in unset}
    return {**environment, "PATH": os.pathsep.join(path)}


_RUNS: dict[str, list[str]] = {}


@pytest.mark.parametrize("runtime", VENVS)
@pytest.mark.parametrize("chapter", chapters())
def test_the_notebook_runs_top_to_bottom_in_each_colab_runtime_and_on_binder(runtime: str, chapter: str) -> None:
    python, venv = colab_python(runtime), VENVS[runtime]
    host = "binder" if runtime == "binder" else "colab"
    start = time.monotonic()
    restore_colab_env(venv)
    workdir = ROOT / "_build" / f"notebooks-{runtime}" / Path(chapter).name  # Colab's /content
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)

    run = subprocess.run(
        [python, ROOT / "tests" / "colab_execute.py", ROOT / f"{chapter}.ipynb", workdir, host],
        cwd=workdir,
        env=colab_environment(venv),
        capture_output=True,
        text=True,
    )

    assert run.returncode == 0, f"{chapter}.ipynb failed in {runtime}:\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"
    result = json.loads(run.stdout.splitlines()[-1])
    executed = nbformat.read(workdir / "executed.ipynb", as_version=4)
    setup_said = "".join(output.get("text", "") for output in executed.cells[1].outputs).strip().splitlines()
    assert setup_said[-1].startswith(f"Ready for {chapter}.md"), f"{chapter} in {runtime}: {setup_said}"
    if host == "binder":
        assert len(setup_said) == 1, f"binder/ lacks what {chapter} installs: {setup_said}"
    # the whole troubleshooting part: the index page and one page per area
    explained = "\n".join(path.read_text() for path in sorted((ROOT / "book").glob("troubleshooting*.md")))
    last_lines = [text.strip().splitlines()[-1] for text in result["stderr"]]  # what a reader would search for
    for line, text in zip(last_lines, result["stderr"]):
        assert line in explained, f"{chapter}: stderr in {runtime}, not in the troubleshooting part:\n{text}"
    stderr = f", stderr: {' | '.join(line[:200] for line in last_lines)}" if last_lines else ""
    if runtime not in _RUNS:
        _RUNS[runtime] = []
        report(f"Chapters run as notebooks in {runtime} ({venv.name})", _RUNS[runtime])
    _RUNS[runtime].append(f"{time.monotonic() - start:6.1f} s  {chapter}: {result['cells']} cells{stderr}")


@pytest.mark.parametrize("runtime", colab_snapshot.RUNTIMES)
def test_each_public_helper_imports_on_colabs_stack(runtime: str, tmp_path: Path) -> None:
    python, venv = colab_python(runtime), COLAB_VENVS[runtime]
    restore_colab_env(venv)
    setup = code_cells(nbformat.read(ROOT / "book/setup.ipynb", as_version=4))[0]
    check = "import helpers.render as r\nprint(sorted(r.__all__), [n for n in r.__all__ if not hasattr(r, n)])"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(setup), nbformat.v4.new_code_cell(check)])
    nbformat.write(notebook, tmp_path / "check.ipynb")

    run = subprocess.run(
        [python, ROOT / "tests" / "colab_execute.py", tmp_path / "check.ipynb", tmp_path],
        cwd=tmp_path,
        env=colab_environment(venv),
        capture_output=True,
        text=True,
    )

    assert run.returncode == 0, f"the helpers do not import on Colab {runtime}:\n{run.stdout[-4000:]}"
    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    printed = executed.cells[-1].outputs[0]["text"].strip()
    assert printed == f"{sorted(render.__all__)} []"


def drift(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, ROOT / "tools" / "colab_drift.py", folder], cwd=ROOT, capture_output=True, text=True
    )


def test_the_drift_script_finds_nothing_new_in_the_committed_snapshot() -> None:
    run = drift(ROOT / "tools" / "colab" / "latest")

    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == "Colab's lists match the committed snapshot for every package the notebooks touch.\n"


def test_the_drift_script_names_each_watched_package_that_colab_moved(tmp_path: Path) -> None:
    snapshot = ROOT / "tools" / "colab" / "latest"
    freeze = (snapshot / "pip-freeze.txt").read_text()
    (tmp_path / "pip-freeze.txt").write_text(
        freeze.replace("gymnasium==1.3.0", "gymnasium==1.4.0").replace("\nipython==7.34.0", "")
    )
    apt = (snapshot / "apt-list.txt").read_text()
    (tmp_path / "apt-list.txt").write_text(
        "".join(line for line in apt.splitlines(True) if not line.startswith("xvfb/"))
    )

    run = drift(tmp_path)

    assert run.returncode == 0
    assert run.stdout.splitlines() == [
        "pip gymnasium: 1.3.0 -> 1.4.0",
        "pip ipython: 7.34.0 -> not installed",
        f"apt xvfb: {colab_snapshot_apt_version('xvfb')} -> not installed",
    ]


def colab_snapshot_apt_version(package: str) -> str:
    lines = (ROOT / "tools" / "colab" / "latest" / "apt-list.txt").read_text().splitlines()
    return next(line.split()[1] for line in lines if line.startswith(f"{package}/"))
