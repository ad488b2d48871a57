"""The "Open in Colab" button: it opens the chapter's committed notebook, which runs on Colab's stack.

The notebooks (book/*.ipynb) are made from the chapters by tools/colab_notebooks.py (`make notebooks`).
Colab's versions come from the committed snapshot of its runtimes (tools/colab/, read by
tools/colab_snapshot.py). The notebook tests run each one as Colab would, in each runtime the book
is tested on: in .venv-colab (the current runtime, Python 3.13) and .venv-colab-2026.07 (Python
3.12), made by `make colab-env` with the snapshot's versions, with ``google.colab`` importable and
no DISPLAY; and, as hosts that are not Colab, in Kaggle's image (.venv-kaggle from tools/kaggle/,
`make kaggle-env`) and in Binder's environment (.venv-binder from binder/, `make binder-env`). Each
notebook carries its helpers/, so no repository stands in for anything. The environments' runs go
side by side, bounded by the cores (tests/host_runs.py); a new environment is one more entry in VENVS
and HOSTS. Where this machine has no Python for an environment its tests are skipped, and fail with
GYM_ON_A_SERVER_ALL_HOSTS=1 (as in CI).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from host_runs import (
    COLAB_VENVS,
    VENVS,
    HostRuns,
    NotebookRun,
    colab_environment,
    make_environment,
    restore_colab_env,
    wait_for_notebook_runs,
)

from conftest import ROOT, page, report
from helpers import render
from tools import colab_notebooks, colab_snapshot
from tools.colab_notebooks import chapters


def code_cells(notebook: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("chapter", chapters())
def test_the_colab_button_opens_the_chapters_committed_notebook(built_book: Path, chapter: str) -> None:
    soup = page(built_book, chapter)
    links = [a["href"] for a in soup.select("a[href^='https://colab.research.google.com/github/']")]

    assert links and set(links) == {colab_notebooks.colab_link(chapter)}  # the badge and the launch menu
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
    return colab_notebooks.front_matter(ROOT / f"{chapter}.md").get("colab_setup") or {}


def replaced_colab_packages(pins: list[str], colab: dict[str, str]) -> dict[str, str]:
    """Colab's packages whose folder a pin, or what it requires, installs into: {Colab's name: the pin's name==version}.

    pygame-ce installs the module folder pygame/, Colab's pygame's, so pip lists both while the files are
    pygame-ce's: a replacement that a version check misses. Read in this environment's metadata.
    """
    replaced, todo, seen = {}, [pin.split("==")[0] for pin in pins], set()
    while todo:
        name = colab_snapshot.key(todo.pop())
        if name in seen or name in colab:
            continue
        seen.add(name)
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        folders = {colab_snapshot.key(path.parts[0]) for path in distribution.files or [] if len(path.parts) > 1}
        for folder in folders & set(colab):
            replaced[folder] = f"{distribution.metadata['Name']} {distribution.version}"
        todo += [re.match(r"[\w.-]+", r)[0] for r in distribution.requires or [] if "extra ==" not in r]
    return replaced


@pytest.mark.parametrize("chapter", chapters())
def test_a_pin_that_differs_from_colabs_version_says_so_and_why_in_the_front_matter(chapter: str) -> None:
    wants = front_matter(chapter)
    colab = colab_snapshot.pip_versions("latest")
    pins = dict(pin.split("==") for pin in [*colab_notebooks.DEFAULT_PIP, *wants.get("pip", [])])
    assert all(version for version in pins.values()), f"{chapter}: pin exact versions (name==version)"
    differs = {name for name, version in pins.items() if colab.get(colab_snapshot.key(name), version) != version}
    declared = wants.get("over_colab", {})
    replaced = replaced_colab_packages([f"{n}=={v}" for n, v in pins.items()], colab)
    for name, by in replaced.items():  # files replaced under the same version number
        assert name in declared and colab[name] in declared[name] and by.split()[1] in declared[name], (
            f"{chapter}: {by} installs into the folder of Colab's {name} {colab[name]}: declare it in "
            "colab_setup.over_colab, with the reason naming both versions"
        )
    differs |= set(replaced)

    assert differs == set(declared), (
        f"{chapter}: pins that replace Colab's version (tools/colab/latest/pip-freeze.txt) must be declared in "
        f"colab_setup.over_colab with the reason, and only those: differ {sorted(differs)}, declared {sorted(declared)}"
    )
    for name in differs - set(replaced):
        assert colab[colab_snapshot.key(name)] in declared[name] and pins[name] in declared[name], (
            f"{chapter}: the reason for {name} names both versions, Colab's {colab[colab_snapshot.key(name)]} "
            f"and {pins[name]}"
        )


@pytest.mark.host_environment
@pytest.mark.parametrize("runtime", colab_snapshot.PYTHONS)
def test_the_colab_and_kaggle_environments_versions_are_the_snapshots(runtime: str) -> None:
    venv = VENVS[runtime]
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


def skip_without(missing: str | None) -> None:
    """Skip a test whose environment has no Python here; fail instead where CI asks for every host."""
    if missing and os.environ.get("GYM_ON_A_SERVER_ALL_HOSTS") == "1":
        pytest.fail(f"{missing} (GYM_ON_A_SERVER_ALL_HOSTS=1: every host environment must run)")
    if missing:
        pytest.skip(missing)


def colab_python(runtime: str) -> Path:
    """The Python of an environment's virtualenv, made by make; skip where there is no such Python."""
    skip_without(make_environment(runtime))
    return VENVS[runtime] / "bin" / "python"


def kaggle_python() -> Path:
    """The Python of .venv-kaggle, Kaggle's image (made by make); skip where there is no such Python."""
    return colab_python(colab_snapshot.KAGGLE)


def test_an_environment_without_its_python_is_skipped_here_and_fails_where_ci_asks_for_every_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    remake = ["-W", "tests/kaggle-requirements.txt"]  # as if it had changed: make remakes the virtualenv
    made = subprocess.run(
        ["make", "--no-print-directory", *remake, ".venv-kaggle/installed", "KAGGLE_PYTHON="],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    missing = made.stdout.strip().splitlines()[-1]
    assert made.returncode != 0 and missing.startswith("No Python 3.12 found for the kaggle runtime"), made.stdout

    monkeypatch.delenv("GYM_ON_A_SERVER_ALL_HOSTS", raising=False)
    with pytest.raises(pytest.skip.Exception, match=re.escape(missing)):
        skip_without(missing)
    monkeypatch.setenv("GYM_ON_A_SERVER_ALL_HOSTS", "1")
    with pytest.raises(pytest.fail.Exception, match="every host environment must run"):
        skip_without(missing)


_RUNS: dict[str, list[str]] = {}


# Every notebook runs in Colab's two runtimes and Binder's environment. Kaggle's image is Colab's
# runtime of 2026-05 plus xvfbwrapper, and a Kaggle notebook starts without internet: there the
# chapters that need nothing installed run offline (tests/test_offline.py), which keeps the suite
# within CI's time (all 23 notebooks there too would add about a quarter to the host runs).
NOTEBOOK_HOSTS = [runtime for runtime in VENVS if runtime != colab_snapshot.KAGGLE]


@pytest.mark.host_environment
@pytest.mark.parametrize("runtime", NOTEBOOK_HOSTS)
@pytest.mark.parametrize("chapter", chapters())
def test_the_notebook_runs_top_to_bottom_in_each_host_environment(
    host_runs: HostRuns[NotebookRun], runtime: str, chapter: str
) -> None:
    outcome = host_runs.result((runtime, chapter))
    skip_without(outcome.missing)
    run, workdir, venv = outcome.process, outcome.workdir, VENVS[runtime]

    assert run.returncode == 0, f"{chapter}.ipynb failed in {runtime}:\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"
    result = json.loads(run.stdout.splitlines()[-1])
    executed = nbformat.read(workdir / "executed.ipynb", as_version=4)
    setup_said = "".join(output.get("text", "") for output in executed.cells[1].outputs).strip().splitlines()
    assert setup_said[-1].startswith(f"Ready for {chapter}.md"), f"{chapter} in {runtime}: {setup_said}"
    if runtime == "binder":
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
    _RUNS[runtime].append(f"{outcome.seconds:6.1f} s  {chapter}: {result['cells']} cells{stderr}")


@pytest.mark.host_environment
@pytest.mark.parametrize("runtime", colab_snapshot.RUNTIMES)
def test_each_public_helper_imports_on_colabs_stack(
    request: pytest.FixtureRequest, runtime: str, tmp_path: Path
) -> None:
    wait_for_notebook_runs(request.session)  # this test restores and uses the runs' virtualenvs
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
    printed = "".join(output.get("text", "") for output in executed.cells[-1].outputs).strip()  # may come in parts
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
