"""The Makefile's promises: the apt-get line where you are not root, every Python in CI, C++ compiled once."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from conftest import ROOT


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to run make as another user")
def test_without_root_make_prints_the_exact_apt_get_line_for_what_is_missing_and_stops() -> None:
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    packages = "xvfb gym-on-a-server-no-such-package"

    result = subprocess.run(
        [*as_nobody, "make", "--no-print-directory", "book", f"APT_PACKAGES={packages}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert (
        result.stdout.splitlines()[-1]
        == "  sudo apt-get update && sudo apt-get install -y gym-on-a-server-no-such-package"
    )
    assert "jupyter-book build" not in result.stdout


def snapshot_pythons() -> dict[str, str]:
    """Each snapshot's exact Python: from os-info.txt (Colab latest, Kaggle's base), tools/colab/README.md (2026.07)."""
    versions = {
        runtime: re.search(r"^Python ([\d.]+)$", (folder / "os-info.txt").read_text(), re.M)[1]
        for runtime, folder in [("latest", ROOT / "tools/colab/latest"), ("kaggle", ROOT / "tools/kaggle")]
    }
    readme = (ROOT / "tools" / "colab" / "README.md").read_text()
    return {**versions, "2026.07": re.search(r"^\| `2026\.07/` \|.*\| ([\d.]+) \|$", readme, re.M)[1]}


def test_the_workflow_installs_every_host_environments_python_and_fails_a_skipped_one() -> None:
    steps = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())["jobs"]["test"]["steps"]
    [install] = [step["run"] for step in steps if "uv python install" in step.get("run", "")]
    [make_test] = [step for step in steps if step.get("run") == "make test"]
    makefile = (ROOT / "Makefile").read_text()
    # which variable gives each environment its Python: $(call colab_venv,VENV,$(VARIABLE),RUNTIME...)
    variables = dict(re.findall(r"\$\(call colab_venv,[^,]+,\$\((\w+)\),([\w.]+)", makefile))
    exported = dict(re.findall(r'echo "(\w+)=\$\(/opt/uv/bin/uv python find ([\d.]+)\)"', install))
    pythons = snapshot_pythons()

    assert re.search(r"pip install --quiet uv==[\d.]+$", install, re.M), "uv pinned"
    assert set(re.search(r"uv python install (.+)", install)[1].split()) == set(pythons.values())
    assert {variables[name]: version for name, version in exported.items()} == pythons
    assert make_test["env"]["GYM_ON_A_SERVER_ALL_HOSTS"] == "1"


def make_environment() -> dict[str, str]:
    """The environment that make gives the build and the tests (its exported variables)."""
    printed = subprocess.run(
        ["make", "--no-print-directory", "--eval", "print-environment: ; @env -0", "print-environment"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(line.split("=", 1) for line in printed.split("\0") if "=" in line)


def test_cpp_that_a_chapter_compiles_again_in_a_new_pip_build_folder_comes_from_ccache(tmp_path: Path) -> None:
    """box2d-py, built from source by book/box2d_toy_text, is compiled in a new /tmp folder each time."""
    environment = {**make_environment(), "CCACHE_DIR": str(tmp_path / "ccache")}
    assert shutil.which("g++", path=environment["PATH"]) == "/usr/lib/ccache/g++"

    for build in ("pip-install-a", "pip-install-b"):  # as pip names its build folders
        folder = Path(tempfile.mkdtemp(prefix=build))
        (folder / "b2Math.cpp").write_text("int b2Dot(int a, int b) { return a * b; }\n")
        subprocess.run(
            ["g++", "-g", "-O2", "-c", folder / "b2Math.cpp", "-o", folder / "b2Math.o"],
            cwd=folder,
            env=environment,
            check=True,
        )
        shutil.rmtree(folder)
    counts = dict(
        line.split("\t")
        for line in subprocess.run(
            ["ccache", "--print-stats"], env=environment, capture_output=True, text=True, check=True
        ).stdout.splitlines()
    )

    assert (counts["direct_cache_hit"], counts["cache_miss"]) == ("1", "1")
