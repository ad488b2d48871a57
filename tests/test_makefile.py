"""The Makefile's promise on a machine where you are not root: it prints the apt-get line and stops."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

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
