"""What changed on Colab since the committed snapshot, among the packages the notebooks touch.

The scheduled workflow (.github/workflows/colab-drift.yml) fetches googlecolab/backend-info's
current `pip-freeze.txt` and `apt-list.txt` into a folder and runs

    python tools/colab_drift.py FOLDER            # print the changes; exit 0
    python tools/colab_drift.py FOLDER --adopt    # and copy the lists over tools/colab/latest/

then rebuilds .venv-colab from the adopted lists and runs every notebook in it, so a change on
Colab that breaks a chapter fails that job before readers meet it. `make test` runs this script
against the committed snapshot itself (tests/test_colab.py).
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from colab_notebooks import DEFAULT_APT, DEFAULT_PIP, chapters, front_matter  # noqa: E402 - tools/ is not a package
from colab_snapshot import SNAPSHOT, key  # noqa: E402

LISTS = ("pip-freeze.txt", "apt-list.txt")


def watched() -> tuple[set[str], set[str]]:
    """The pip names (by `key`) and Debian packages that the notebooks touch on Colab."""
    lines = (ROOT / "tests" / "colab-requirements.txt").read_text().splitlines()
    pip = {key(line) for line in lines if line.strip() and not line.startswith("#")}
    apt = set(DEFAULT_APT)
    pins = list(DEFAULT_PIP)
    for chapter in chapters():
        wants = front_matter(ROOT / f"{chapter}.md").get("colab_setup") or {}
        pins += wants.get("pip", [])
        apt |= set(wants.get("apt", []))
    return pip | {key(pin.split("==")[0]) for pin in pins}, apt


def _pip(folder: Path) -> dict[str, str]:
    lines = (folder / "pip-freeze.txt").read_text().splitlines()
    return {key(m[1]): m[2] for line in lines if (m := re.fullmatch(r"([\w.-]+)==(\S+)", line.strip()))}


def _apt(folder: Path) -> dict[str, str]:
    lines = (folder / "apt-list.txt").read_text().splitlines()
    return {line.split("/", 1)[0]: line.split()[1] for line in lines if "[installed" in line}


def drift(fetched: Path, snapshot: Path = SNAPSHOT / "latest") -> list[str]:
    """One line per watched package whose version (or presence) differs between snapshot and fetched.

    Example:
        >>> drift(SNAPSHOT / "latest")
        []
    """
    pip_names, apt_names = watched()
    changes = []
    for kind, read, names in (("pip", _pip, pip_names), ("apt", _apt, apt_names)):
        before, after = read(snapshot), read(fetched)
        for name in sorted(names):
            if before.get(name) != after.get(name):
                was, now = before.get(name, "not installed"), after.get(name, "not installed")
                changes.append(f"{kind} {name}: {was} -> {now}")
    return changes


def main(arguments: list[str]) -> int:
    """Print the drift of the lists in a folder; with --adopt, copy them into the snapshot."""
    if not arguments or arguments[1:] not in ([], ["--adopt"]):
        print("usage: colab_drift.py FOLDER [--adopt]", file=sys.stderr)
        return 2
    fetched = Path(arguments[0])
    changes = drift(fetched)
    print("\n".join(changes) or "Colab's lists match the committed snapshot for every package the notebooks touch.")
    if arguments[1:] == ["--adopt"]:
        for name in LISTS:
            shutil.copyfile(fetched / name, SNAPSHOT / "latest" / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
