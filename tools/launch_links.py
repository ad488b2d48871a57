"""A Sphinx extension: a visible "Open in Colab" badge under each chapter's title, and more hosts.

Jupyter Book 1 builds the Binder and Colab buttons itself (`launch_buttons` in _config.yml), inside
the menu ("Launch interactive content", the rocket); the badge puts the Colab link where a reader
sees it. Kaggle, SageMaker Studio Lab and Paperspace Gradient have no setting there, so this adds
them to the same menu. Each opens the page's committed notebook, book/<chapter>.ipynb, from the
repository and branch named in _config.yml, in the URL format the host documents. A page with no
notebook beside its .md gets none of them.

The download menu's .ipynb is that notebook too: sphinx-book-theme would offer the build's executed
copy, which lacks the setup cell that carries helpers/ and so fails at its first import elsewhere.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

# Host: (URL of a notebook on GitHub, Font Awesome icon). {github} is https://github.com/ORG/REPO/blob/BRANCH/PATH.
HOSTS = {
    "Kaggle": ("https://kaggle.com/kernels/welcome?src={github}", "fab fa-kaggle"),
    "SageMaker Studio Lab": ("https://studiolab.sagemaker.aws/import/github/{rest}", "fab fa-aws"),
    "Paperspace Gradient": ("https://console.paperspace.com/github/{rest}", "fas fa-cloud"),
}


def github_path(repository_url: str, branch: str, path: str) -> str:
    """A repository's file as ORG/REPO/blob/BRANCH/PATH, the form the hosts' addresses end with.

    Example:
        >>> github_path("https://github.com/org/repo/", "main", "book/setup.ipynb")
        'org/repo/blob/main/book/setup.ipynb'
    """
    return f"{repository_url.removeprefix('https://github.com/').strip('/')}/blob/{branch}/{path}"


def launch_links(repository_url: str, branch: str, path: str) -> dict[str, str]:
    """The address that opens a repository's notebook on each host, by host.

    Example:
        >>> links = launch_links("https://github.com/org/repo", "main", "book/setup.ipynb")
        >>> links["Paperspace Gradient"]
        'https://console.paperspace.com/github/org/repo/blob/main/book/setup.ipynb'
        >>> links["Kaggle"]
        'https://kaggle.com/kernels/welcome?src=https://github.com/org/repo/blob/main/book/setup.ipynb'
    """
    rest = github_path(repository_url, branch, path)
    return {host: url.format(github=f"https://github.com/{rest}", rest=rest) for host, (url, _) in HOSTS.items()}


def colab_badge(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put a link that opens the chapter's notebook on Colab under its title (if it has a notebook)."""
    notebook = f"{docname}.ipynb"
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or app.builder.format != "html" or not (Path(app.srcdir) / notebook).exists():
        return
    options = app.config["html_theme_options"]
    rest = github_path(options["repository_url"], options.get("repository_branch", "master"), notebook)
    colab = f"{options['launch_buttons']['colab_url'].rstrip('/')}/github/{rest}"
    badge = f'<div class="launch-badge"><a href="{colab}">Open in Colab</a></div>'
    section.insert(1, nodes.raw("", badge, format="html"))  # under the title, above the "Last executed" line


def add_launch_links(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Append the hosts to the launch menu that sphinx-book-theme made for this page (if it made one)."""
    notebook = f"{pagename}.ipynb"
    if not (Path(app.srcdir) / notebook).exists():
        return
    options = app.config["html_theme_options"]
    links = launch_links(options["repository_url"], options.get("repository_branch", "master"), notebook)
    for group in context.get("header_buttons", []):
        if group.get("label") == "launch-buttons":
            group["buttons"].extend(
                {"type": "link", "text": host, "tooltip": f"Launch on {host}", "icon": HOSTS[host][1], "url": url}
                for host, url in links.items()
            )


def serve_runnable_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Put the page's committed notebook where its .ipynb download button points, over the executed copy."""
    notebook = Path(app.srcdir) / f"{pagename}.ipynb"
    if notebook.exists() and context.get("ipynb_source"):
        shutil.copyfile(notebook, Path(app.outdir) / "_sources" / context["ipynb_source"])


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the badge after the "Last executed" line, the menu and download after the theme's (501)."""
    app.connect("doctree-resolved", colab_badge, priority=501)
    app.connect("html-page-context", add_launch_links, priority=502)
    app.connect("html-page-context", serve_runnable_notebook, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
