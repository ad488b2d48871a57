"""The Makefile's promises: where you are not root it prints the apt-get line and stops; CI gets every Python."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

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
