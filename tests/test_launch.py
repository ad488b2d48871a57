"""Each chapter's launch menu: Colab, Binder, Kaggle, SageMaker Studio Lab and Paperspace Gradient.

Every link opens the chapter's committed notebook (book/<chapter>.ipynb) on the branch named in
_config.yml, and Binder builds from binder/, which must give the notebooks what the book's own
build has.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from conftest import ROOT, page
from tools import colab_notebooks
from tools.colab_notebooks import chapters

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"].removeprefix("https://github.com/").strip("/")
BRANCH = CONFIG["repository"]["branch"]


def notebook_path(host: str, url: str) -> str:
    """The repository path, branch and repository that a launch link opens, as one 'REPO@BRANCH:PATH'."""
    parsed = urlparse(url)
    if host == "Binder":
        match = re.fullmatch(r"/v2/gh/([^/]+/[^/]+)/([^/]+)", parsed.path)
        tree = parse_qs(parsed.query)["urlpath"][0].removeprefix("lab/tree/")
        return f"{match[1]}@{match[2]}:{tree}"
    github = parse_qs(parsed.query)["src"][0].removeprefix("https://github.com") if host == "Kaggle" else parsed.path
    github = re.sub(r"^/(github|import/github)/", "/", github)
    match = re.fullmatch(r"/([^/]+/[^/]+)/blob/([^/]+)/(.+)", github)
    return f"{match[1]}@{match[2]}:{match[3]}"


@pytest.mark.parametrize("chapter", chapters())
def test_the_launch_menu_opens_the_committed_notebook_on_five_hosts(built_book: Path, chapter: str) -> None:
    menu = page(built_book, chapter).select_one(".dropdown-launch-buttons")
    links = {a.get_text(strip=True): a["href"] for a in menu.select("a[href]")}

    assert sorted(links) == sorted(["Binder", "Colab", "Kaggle", "SageMaker Studio Lab", "Paperspace Gradient"])
    assert links["Colab"] == colab_notebooks.colab_link(chapter)
    for host, url in links.items():
        assert notebook_path(host, url) == f"{REPOSITORY}@{BRANCH}:{chapter}.ipynb", f"{host}: {url}"
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", f"{chapter}.ipynb"], cwd=ROOT, capture_output=True)
    assert tracked.returncode == 0, f"{chapter}.ipynb is not committed, so the links would open nothing"


def test_binders_environment_has_the_books_versions_its_python_and_every_chapters_debian_packages() -> None:
    def pins(path: Path) -> set[str]:
        return {line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")}

    book = pins(ROOT / "requirements.txt")
    binder = pins(ROOT / "binder" / "requirements.txt")
    assert binder <= book, f"binder/requirements.txt pins what the book does not: {sorted(binder - book)}"
    imported = {"gymnasium", "pyvirtualdisplay", "matplotlib", "gym", "atari-py", "mujoco", "moviepy", "ale-py"}
    assert imported <= {pin.split("[")[0].split("==")[0] for pin in binder}

    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    venv = subprocess.run(
        [ROOT / ".venv" / "bin" / "python", "-c", "import sys; print(*sys.version_info[:2], sep='.')"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert runtime == f"python-{venv}", "Binder's Python is the one the book is built and tested with"

    apt = set((ROOT / "binder" / "apt.txt").read_text().split())
    wanted = set(colab_notebooks.DEFAULT_APT)
    for chapter in chapters():
        wanted |= set((colab_notebooks.front_matter(ROOT / f"{chapter}.md").get("colab_setup") or {}).get("apt", []))
    assert wanted <= apt, f"binder/apt.txt lacks {sorted(wanted - apt)}"
