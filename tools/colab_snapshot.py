"""What Google Colab preinstalls, read from the committed snapshot of googlecolab/backend-info.

tools/colab/<runtime>/ holds that repository's `pip-freeze.txt` and `apt-list.txt` for each
runtime the notebooks are tested on (tools/colab/README.md names the commit and its date): the
current runtime ("latest") and the newest pinned past runtime. Everything the book says or
assumes about Colab's versions comes from here, not from memory. Standard library only, so that
any Python can run it (the Makefile runs it with Colab's Python to make .venv-colab).

    python tools/colab_snapshot.py constraints latest   # pip constraints: Colab's exact versions
    python tools/colab_snapshot.py python 2026.07       # the runtime's Python, e.g. 3.12
    python tools/colab_snapshot.py constraints kaggle   # Kaggle's image: Colab's runtime of its base day
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parent / "colab"
# Each runtime the notebooks are tested on, and its Python (backend-info's os-info.txt and README).
RUNTIMES = {"latest": "3.13", "2026.07": "3.12"}
# Kaggle's image is Colab's runtime of its base day plus Kaggle's additions (tools/kaggle/SOURCE.md):
# "kaggle" reads like a runtime here, from tools/kaggle/.
KAGGLE = "kaggle"
PYTHONS = {**RUNTIMES, KAGGLE: "3.12"}


def folder(runtime: str) -> Path:
    """Where a runtime's lists are.

    Example:
        >>> folder("latest").name, folder("kaggle").name
        ('latest', 'kaggle')
    """
    return SNAPSHOT.parent / "kaggle" if runtime == KAGGLE else SNAPSHOT / runtime


_PINNABLE = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.-]*)==(\d[\w.!]*)")  # no local versions (+cpu), no URLs


def key(name: str) -> str:
    """A package name as pip compares it (PEP 503).

    Example:
        >>> key("jupyter_client"), key("PyOpenGL")
        ('jupyter-client', 'pyopengl')
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_versions(runtime: str = "latest") -> dict[str, str]:
    """The Python packages of a Colab runtime and their exact versions, by `key` of the name.

    Example:
        >>> versions = pip_versions("latest")
        >>> versions["ipython"], versions["ipykernel"], versions["jupyter-client"]
        ('7.34.0', '6.17.1', '7.4.9')
        >>> pip_versions("2026.07")["numpy"], pip_versions("kaggle")["gymnasium"]
        ('2.0.2', '1.3.0')
    """
    lines = (folder(runtime) / "pip-freeze.txt").read_text().splitlines()
    return {key(m[1]): m[2] for line in lines if (m := _PINNABLE.fullmatch(line.strip()))}


def apt_installed(runtime: str = "latest") -> set[str]:
    """The Debian packages installed in a Colab runtime (from `apt list --installed`).

    Example:
        >>> {"xvfb", "xauth", "libegl1"} <= apt_installed("latest"), "libosmesa6" in apt_installed("latest")
        (True, False)
    """
    lines = (folder(runtime) / "apt-list.txt").read_text().splitlines()
    return {line.split("/", 1)[0] for line in lines if "[installed" in line}


def constraints(runtime: str = "latest") -> str:
    """Constraints for pip that hold every package to the runtime's version: `name==version` lines.

    Example:
        >>> "moviepy==1.0.3" in constraints("latest").splitlines()
        True
    """
    return "".join(f"{name}=={version}\n" for name, version in sorted(pip_versions(runtime).items()))


def main(arguments: list[str]) -> int:
    """Print a runtime's constraints or its Python version."""
    if len(arguments) == 2 and arguments[0] in {"constraints", "python"} and arguments[1] in PYTHONS:
        what, runtime = arguments
        print(
            constraints(runtime) if what == "constraints" else PYTHONS[runtime],
            end="" if what == "constraints" else "\n",
        )
        return 0
    print(f"usage: colab_snapshot.py constraints|python {'|'.join(PYTHONS)}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
