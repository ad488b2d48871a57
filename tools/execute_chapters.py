"""Execute the book's chapters in parallel into myst-nb's execution cache, before `jupyter-book build`.

    python tools/execute_chapters.py          # run by `make book`; then the build executes nothing

The build itself (myst-nb, `execute_notebooks: cache`) executes the chapters whose code changed
one at a time. This fills the same cache (_build/.jupyter_cache) first, several chapters at once:
each chapter is read as myst-nb reads it (so its cache key is the one the build looks up), runs
with its own folder as working directory, under _config.yml's `execute` settings (the cell timeout;
only cells tagged raises-exception may raise), and gets a virtual display (Xvfb) and a Ray
temporary folder of its own, so that chapters running side by side never share a screen, a lock
file or a cluster. A chapter that fails stops the build, naming the chapter and the cell.

Parallel chapters: GYM_ON_A_SERVER_JOBS, by default the number of cores.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution
from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook
from myst_parser.config.main import MdParserConfig

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"
READ_FORMAT = {"type": "plugin", "name": "myst_nb_md"}  # what myst-nb records for a MyST notebook
SCREEN = "1400x900x24"  # the Makefile's xvfb-run screen


def config() -> dict:
    """The book's _config.yml."""
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def documents(toc: dict | list) -> list[str]:
    """Every file a Jupyter Book table of contents lists (any of its formats), in order.

    Example:
        >>> documents({"root": "intro", "parts": [{"chapters": [{"file": "a"}, {"file": "b"}]}]})
        ['intro', 'a', 'b']
    """
    if isinstance(toc, list):
        return [name for entry in toc for name in documents(entry)]
    own = [toc[key] for key in ("root", "file") if key in toc]
    return own + [name for key in ("parts", "chapters", "sections") for name in documents(toc.get(key, []))]


def read_chapter(path: Path, extensions: list[str]) -> nbformat.NotebookNode:
    """A chapter as myst-nb's Sphinx parser reads it, with the book's MyST extensions."""
    return read_myst_markdown_notebook(
        path.read_text(), config=MdParserConfig(enable_extensions=set(extensions)), add_source_map=True, path=path
    )


def start_xvfb() -> tuple[subprocess.Popen, str]:
    """An Xvfb of its own: Xvfb picks a free display number itself (-displayfd), so two never race for one."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", SCREEN, "-nolisten", "tcp"],
        pass_fds=[write],
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        raise RuntimeError(f"Xvfb did not start (exit status {server.wait()})")
    return server, f":{number}"


def failing_cell(notebook: nbformat.NotebookNode) -> int:
    """The number (from 1, among code cells) of the cell that stopped the run."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code, 1):
        allowed = "raises-exception" in cell.metadata.get("tags", [])
        if not allowed and any(output.output_type == "error" for output in cell.get("outputs", [])):
            return number
    return next((n for n, cell in enumerate(code, 1) if cell.get("execution_count") is None), len(code))


def merge_streams(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    r"""Join each cell's printed pieces into one output per stream, exactly as printed.

    The kernel sends what a cell prints in pieces, cut by its flush timer anywhere, even inside a
    line. myst-nb's nb_merge_streams joins pieces with a newline, which breaks such a line in two on
    the page; joined here first, myst-nb finds one piece and changes nothing.

    Example:
        >>> pieces = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in ("ids: ", "42\n")]
        >>> cell = nbformat.v4.new_code_cell(outputs=pieces)
        >>> merge_streams(nbformat.v4.new_notebook(cells=[cell])).cells[0].outputs
        [{'output_type': 'stream', 'name': 'stdout', 'text': 'ids: 42\n'}]
    """
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        streams: dict[str, nbformat.NotebookNode] = {}
        outputs = []
        for output in cell.outputs:
            if output.output_type == "stream" and output.name in streams:
                streams[output.name].text += output.text
                continue
            if output.output_type == "stream":
                streams[output.name] = output
            outputs.append(output)
        cell.outputs = outputs
    return notebook


def execute(chapter: str, notebook: nbformat.NotebookNode, timeout: int, allow_errors: bool) -> dict:
    """In a worker process: run one chapter under its own display and temporary folder."""
    server, display = start_xvfb()
    scratch = tempfile.mkdtemp(prefix="gym-")  # short: Ray's socket paths must fit in 107 characters
    os.environ.update(DISPLAY=display, RAY_TMPDIR=scratch)
    try:
        result = single_nb_execution(
            notebook, cwd=str((ROOT / chapter).parent), timeout=timeout, allow_errors=allow_errors, meta_override=True
        )
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(scratch, ignore_errors=True)
    failure = None
    if result.err is not None:
        error = type(result.err).__name__
        failure = f"{chapter}.md: code cell {failing_cell(notebook)} failed: {error}\n{result.exc_string}"
    return {"notebook": merge_streams(notebook), "seconds": result.time, "failure": failure}


def main() -> int:
    """Execute every chapter that the cache has no outputs for; 1 when one failed."""
    settings = config()
    extensions = settings["parse"]["myst_enable_extensions"]
    timeout, allow_errors = settings["execute"]["timeout"], settings["execute"]["allow_errors"]
    cache = get_cache(str(CACHE))
    stale = {}
    for chapter in documents(yaml.safe_load((ROOT / "_toc.yml").read_text())):
        path = ROOT / f"{chapter}.md"
        if not is_myst_markdown_notebook(path.read_text()):
            continue
        notebook = read_chapter(path, extensions)
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            stale[chapter] = notebook
    if not stale:
        print("Every chapter's outputs are in the execution cache: nothing to execute")
        return 0
    jobs = int(os.environ.get("GYM_ON_A_SERVER_JOBS") or os.cpu_count() or 1)
    print(f"Executing {len(stale)} chapters, {jobs} at a time: {', '.join(stale)}", flush=True)
    failures = []
    start = time.monotonic()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        runs = {pool.submit(execute, c, nb, timeout, allow_errors): c for c, nb in stale.items()}
        try:
            for run in as_completed(runs):
                chapter, outcome = runs[run], run.result()
                if outcome["failure"]:  # the other chapters go on, so that the log names every failure
                    failures.append(outcome["failure"])
                    print(f"FAILED {outcome['failure']}", file=sys.stderr, flush=True)
                    continue
                record = cache.add_nb_to_project(str(ROOT / f"{chapter}.md"), read_data=READ_FORMAT)
                seconds = {"execution_seconds": outcome["seconds"]}
                cache.cache_notebook_bundle(
                    CacheBundleIn(outcome["notebook"], record.uri, data=seconds), check_validity=False, overwrite=True
                )
                print(f"Executed {chapter}.md in {outcome['seconds']:.1f} s", flush=True)
        except BaseException:  # the cache could not be written, or make was interrupted: start no more chapters
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    print(f"Executed in {time.monotonic() - start:.1f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
