"""A Sphinx extension: an incremental build keeps every page's index entries in the search index.

Sphinx 7.4 feeds a page's index entries to the search index when it writes the page, after it has
saved its environment, and on the next build it reloads the titles and terms of the pages it does
not write again from the last `searchindex.js`, but not their index entries
(`IndexBuilder.load`, sphinx/search/__init__.py). So after a change to one chapter, the search
index held that chapter's entries only, and search no longer ranked the troubleshooting message
sections first. This restores the others' from the last `searchindex.js`.
"""

from __future__ import annotations

import io
from typing import IO, Any

from sphinx.application import Sphinx
from sphinx.search import IndexBuilder

_load = IndexBuilder.load


def restored_index_entries(frozen: dict[str, Any], pages: set[str]) -> dict[str, list[tuple[str, str, str]]]:
    """The index entries of each page in ``pages``, from a frozen search index (searchindex.js's data).

    Example:
        >>> frozen = {"docnames": ["a", "gone"], "indexentries": {"x": [[0, "index-0", True], [1, "i", False]]}}
        >>> restored_index_entries(frozen, {"a"})
        {'a': [('x', 'index-0', 'main')]}
    """
    entries: dict[str, list[tuple[str, str, str]]] = {}
    for entry, places in frozen.get("indexentries", {}).items():
        for doc, target, main in places:
            if frozen["docnames"][doc] in pages:
                entries.setdefault(frozen["docnames"][doc], []).append((entry, target, "main" if main else ""))
    return entries


def load_with_index_entries(self: IndexBuilder, stream: IO, format: Any) -> None:
    """IndexBuilder.load, then the last build's index entries of the pages that still exist."""
    text = stream.read()
    _load(self, io.StringIO(text), format)
    frozen = (self.formats[format] if isinstance(format, str) else format).loads(text)
    for page, entries in restored_index_entries(frozen, set(self.env.all_docs)).items():
        self._index_entries[page] = entries  # a page written again is fed anew after this


def setup(app: Sphinx) -> dict[str, Any]:
    """Patch the search index's loading (for Sphinx 7.4; see the module's docstring)."""
    IndexBuilder.load = load_with_index_entries
    return {"parallel_read_safe": True, "parallel_write_safe": True}
