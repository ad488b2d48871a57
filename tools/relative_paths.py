"""A Sphinx extension: paths on the pages relative to the project, wherever the book is built.

Cell outputs show paths of the machine that ran them: the virtualenv's Python and packages, the
ffmpeg of imageio-ffmpeg, a traceback's files. On the page they read relative to the project
(`.venv/lib/python3.13/site-packages/...`), the same on every machine the book is built on, and no
page shows the folder it was built in.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def project_relative(text: str, project: Path) -> str:
    """Text with the project's absolute paths written relative to it (its .venv also where it is a link).

    Example:
        >>> project_relative("/srv/book/.venv/bin/python helpers/x.py; cd /srv/book", Path("/srv/book"))
        '.venv/bin/python helpers/x.py; cd .'
        >>> project_relative("File /srv/book/helpers/x.py, not /srv/bookshelf", Path("/srv/book"))
        'File helpers/x.py, not /srv/bookshelf'
    """
    names = {os.path.realpath(project / ".venv"): ".venv", str(project): ".", os.path.realpath(project): "."}
    for folder, name in sorted(names.items(), key=lambda item: -len(item[0])):
        text = text.replace(folder + "/", "" if name == "." else name + "/")
        text = re.sub(re.escape(folder) + r"(?![\w.-])", name, text)
    return text


def relative_paths(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Write the page's body, and its description and other meta tags, with paths relative to the project."""
    for key in ("body", "metatags"):
        if isinstance(context.get(key), str):
            context[key] = project_relative(context[key], Path(app.confdir))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the handler last, after every other extension has written into the page."""
    app.connect("html-page-context", relative_paths, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
