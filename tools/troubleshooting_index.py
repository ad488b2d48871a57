"""A Sphinx extension: the troubleshooting part's messages as JSON, for the paste box and the search page.

After every build it writes ``_static/troubleshooting-messages.json`` into the site: one entry per
message section of the troubleshooting pages (a section whose label starts with ``ts-``), with its
address, its heading and every wording its index entries list (the heading and older or variant
wordings). ``_static/troubleshooting-paste.js`` reads it in the browser and matches what a reader
pastes against it; the build writes the file anew each time, so it always holds every section.

Listed in _config.yml's extensions as ``tools.troubleshooting_index``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

PREFIX = "book/troubleshooting"
OUTPUT = "_static/troubleshooting-messages.json"


def message_sections(doctree: nodes.document) -> list[dict[str, Any]]:
    r"""Label, heading and wordings (heading first, then each index entry) of each ``ts-`` section.

    Example:
        >>> from docutils.core import publish_doctree
        >>> source = "Part\n====\n\nText.\n\n.. _ts-x:\n\nNo module named x\n-----------------\n"
        >>> tree = publish_doctree(source)
        >>> message_sections(tree)
        [{'label': 'ts-x', 'heading': 'No module named x', 'wordings': ['No module named x']}]
    """
    found = []
    for section in doctree.findall(nodes.section):
        labels = [name for name in section["ids"] if name.startswith("ts-")]
        if not labels:
            continue
        heading = " ".join(section[0].astext().split())
        wordings = [heading]
        for index in section.findall(addnodes.index):
            for _kind, value, *_ in index["entries"]:
                if value not in wordings:
                    wordings.append(value)
        found.append({"label": labels[0], "heading": heading, "wordings": wordings})
    return found


def write_messages(app: Sphinx, exception: Exception | None) -> None:
    """Write the JSON index of every troubleshooting message into the built site."""
    if exception is not None or app.builder.format != "html":
        return
    entries = []
    for docname in sorted(app.env.found_docs):
        if docname.startswith(PREFIX):
            for section in message_sections(app.env.get_doctree(docname)):
                page = app.builder.get_target_uri(docname)
                entries.append({"url": f"{page}#{section['label']}", "page": docname, **section})
    target = Path(app.outdir) / OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(entries, ensure_ascii=False, indent=0))


def setup(app: Sphinx) -> dict[str, Any]:
    """Write the index after the build (Jupyter Book loads _static/*.js, the paste box, on every page)."""
    app.connect("build-finished", write_messages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
