"""The first cell of every chapter notebook: this file's code, then one call of `setup(...)`.

tools/colab_notebooks.py pastes this module's source into the cell, so it uses the standard
library only and runs on any IPython. The cell carries the helpers/ the notebook was made with
(compressed, with their SHA-256): it writes them next to the notebook, so that an old copy keeps
running the helpers it was made with and a host without internet still runs the chapter. Then it
installs what the chapter lacks where it can (apt as root, pip without upgrading what is there)
and ends with ONE line: ready, or what is missing and what still works.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from importlib import metadata
from pathlib import Path


def _key(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _quiet(*command):
    """Run a command; None when it worked, else the last line it printed."""
    try:
        done = subprocess.run(command, capture_output=True, text=True)
    except OSError as error:
        return str(error)
    lines = (done.stdout + done.stderr).strip().splitlines()
    return None if done.returncode == 0 else (lines[-1] if lines else f"exit status {done.returncode}")


def _write_helpers(blob, sha256):
    """Unpack the carried helpers/ (and repository files) here, put this folder on the path; the number of helpers."""
    packed = base64.b64decode(blob)
    if hashlib.sha256(packed).hexdigest() != sha256:
        raise ValueError("the helpers carried in this notebook are damaged: download the notebook again")
    files = json.loads(zlib.decompress(packed))
    for name, text in files.items():
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text(text)
    here = os.getcwd()
    sys.path.insert(0, here)  # before any checkout of the repository: these are the matching helpers
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))
    for module in [m for m in sys.modules if m == "helpers" or m.startswith("helpers.")]:
        del sys.modules[module]  # a second run imports the files just written
    return sum(name.startswith("helpers/") for name in files)


def _missing_apt(packages):
    """The Debian packages not installed (Xvfb counts as installed when the program is on PATH)."""
    if shutil.which("dpkg") is None:
        return [p for p in packages if not (p == "xvfb" and shutil.which("Xvfb"))]
    return [p for p in packages if _quiet("dpkg", "-s", p) is not None]


def _install_apt(packages):
    """Install Debian packages as root; the reason when that cannot be done here."""
    if shutil.which("apt-get") is None:
        return "no apt-get on this host"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return "not root, so apt-get cannot install"
    print("apt-get install", *packages, flush=True)
    command = ("apt-get", "install", "-y", "-q", "--no-install-recommends", *packages)
    failed = _quiet(*command)
    if failed:  # stale package lists
        failed = _quiet("apt-get", "update", "-q") or _quiet(*command)
    return f"apt-get failed: {failed}" if failed else None


def _install_pip(pins):
    """Install exact pins with pip, holding every other installed package at its version; the pins left out."""
    installed = {_key(d.metadata["Name"]): d.version for d in metadata.distributions()}
    wanted = {_key(pin.split("==")[0]): pin for pin in pins}
    todo = {name: pin for name, pin in wanted.items() if installed.get(name) != pin.split("==")[1]}
    if not todo:
        return [], []
    # A module already imported would stay at its old version until the runtime restarts.
    imported = [pin for name, pin in todo.items() if name in installed and name.replace("-", "_") in sys.modules]
    release = r"\d+(\.\d+)*([a-z]+\d*)?(\.post\d+)?(\.dev\d+)?(\+[\w.]+)?"  # a version pip can pin
    # A file of its own: two notebooks that set up at once on one machine must not read each other's.
    with tempfile.NamedTemporaryFile("w", prefix="installed-before-setup-", suffix=".txt", delete=False) as held:
        held.write("".join(f"{n}=={v}\n" for n, v in installed.items() if n not in wanted and re.fullmatch(release, v)))
    print("pip install", *todo.values(), flush=True)
    try:
        failed = _quiet(sys.executable, "-m", "pip", "install", "-q", "--constraint", held.name, *todo.values())
    finally:
        os.remove(held.name)
    if failed:
        return list(todo.values()), imported
    return [], imported


def setup(chapter, apt, colab_has, pip, helpers, sha256, uses):
    """Make this folder ready for the chapter's cells; print one line that says how it went.

    apt and pip: what the chapter needs; colab_has: those apt packages that Colab preinstalls (from
    the snapshot of its runtime), not even looked for there; uses: what each piece is for.
    """
    try:
        count = _write_helpers(helpers, sha256)
        missing, why = [], []
        if "google.colab" in sys.modules:
            apt = [package for package in apt if package not in colab_has]
        apt_missing = _missing_apt(apt)
        if apt_missing:
            reason = _install_apt(apt_missing)
            if reason:
                missing += apt_missing
                why.append(reason)
        pip_missing, imported = _install_pip(pip)
        spared = ""
        if shutil.which("Xvfb") and any(_key(pin.split("==")[0]) == "pyvirtualdisplay" for pin in pip_missing):
            pip_missing = [pin for pin in pip_missing if _key(pin.split("==")[0]) != "pyvirtualdisplay"]
            spared = " pyvirtualdisplay was not installed, which is fine here: start_virtual_display() starts Xvfb."
        if pip_missing:
            missing += pip_missing
            why.append("pip could not install them: no package index reachable from here?")
        if imported:
            print(f"{', '.join(imported)}: already imported in this session: restart it, then run this cell again.")
        if missing:
            still = "; ".join(f"{piece}: {uses[piece]}" for piece in missing if piece in uses)
            print(
                f"Missing here: {', '.join(missing)} ({'; '.join(why)}). The cells that need them fail"
                f"{f' ({still})' if still else ''}; the rest of {chapter} runs: rgb_array rendering and videos"
                f" need neither.{spared}"
            )
        else:
            print(f"Ready for {chapter}: {count} helper files written next to this notebook.{spared}")
    except Exception as error:  # noqa: BLE001 - one line for the reader, never a traceback
        print(f"Setup failed: {type(error).__name__}: {error}. Cells that import helpers.render will fail.")
