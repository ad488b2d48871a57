"""Hosts without internet (Kaggle as a notebook starts there, air-gapped clusters): pip reaches no index.

The notebooks of intro, setup, query and video need nothing beyond what such a host has, so each
runs top to bottom there, and its setup cell ends with one line that says so. The environment is
the Kaggle parity environment (.venv-kaggle: Kaggle's published lists, tools/kaggle/, on Python
3.12, made where missing and put back as made), without pyvirtualdisplay, as on Kaggle; or the
virtualenv that GYM_OFFLINE_VENV names. pip is pointed at an address where
no index answers (PIP_INDEX_URL), so every `pip install` of the setup cell fails as it would there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from host_runs import colab_environment, restore_colab_env
from test_colab import kaggle_python

from conftest import ROOT

OFFLINE_CHAPTERS = ["book/intro", "book/setup", "book/query", "book/video"]
NO_INDEX = "http://127.0.0.1:9/simple/"  # the discard port: nothing answers there


def offline_python() -> Path:
    """GYM_OFFLINE_VENV's Python, or the Kaggle parity environment's, as `make kaggle-env` made it."""
    if "GYM_OFFLINE_VENV" not in os.environ:
        python = kaggle_python()  # makes .venv-kaggle where it is missing
        restore_colab_env(python.parent.parent)  # the host runs' setup cells installed pyvirtualdisplay
        return python
    venv = Path(os.environ["GYM_OFFLINE_VENV"])
    if not (venv / "bin" / "python").exists():
        pytest.skip(f"no virtualenv at {venv} (GYM_OFFLINE_VENV)")
    return venv / "bin" / "python"


@pytest.mark.parametrize("chapter", OFFLINE_CHAPTERS)
def test_the_notebook_runs_top_to_bottom_where_pip_reaches_no_index(chapter: str) -> None:
    python = offline_python()
    has = subprocess.run([python, "-m", "pip", "show", "-q", "pyvirtualdisplay"], capture_output=True)
    assert has.returncode != 0, f"{python.parent.parent} has pyvirtualdisplay: this test is for a host without it"
    workdir = ROOT / "_build" / "notebooks-offline" / Path(chapter).name
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    environment = {
        **colab_environment(python.parent.parent),
        "PIP_CONFIG_FILE": os.devnull,  # no configured index or wheel folder either
        "PIP_INDEX_URL": NO_INDEX,
        "PIP_RETRIES": "0",
    }
    for name in ("PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX"):
        environment.pop(name, None)

    run = subprocess.run(
        [python, ROOT / "tests" / "colab_execute.py", ROOT / f"{chapter}.ipynb", workdir, "offline"],
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
    )

    assert run.returncode == 0, f"{chapter}.ipynb failed offline:\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"
    executed = nbformat.read(workdir / "executed.ipynb", as_version=4)
    said = "".join(output.get("text", "") for output in executed.cells[1].outputs).strip().splitlines()
    assert said[-1] == (
        f"Ready for {chapter}.md: {len(list((ROOT / 'helpers').glob('*.py')))} helper files written next to this "
        "notebook. pyvirtualdisplay was not installed, which is fine here: start_virtual_display() starts Xvfb."
    ), said
    explained = "\n".join(path.read_text() for path in sorted((ROOT / "book").glob("troubleshooting*.md")))
    for text in json.loads(run.stdout.splitlines()[-1])["stderr"]:
        assert text.strip().splitlines()[-1] in explained, f"{chapter}: stderr offline, not in troubleshooting:\n{text}"
