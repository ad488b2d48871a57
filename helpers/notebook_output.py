"""How the helpers' answers look in a notebook: HTML tables, short notices, and values glued into the prose."""

from __future__ import annotations

import html
import importlib.util
from collections.abc import Sequence


def html_table(caption: str, rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """An HTML table with a caption, left-aligned, for a notebook's rich display.

    Example:
        >>> html_table("Sizes", [("Pong", "210x160")], ("Game", "Screen"))[:44]
        "<table><caption style='text-align:left'>Size"
    """
    head = "".join(f"<th style='text-align:left'>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td style='text-align:left'>{html.escape(cell)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return (
        f"<table><caption style='text-align:left'>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


class Notice:
    """A short message that reads well both printed and in a notebook.

    Example:
        >>> Notice("No video yet.")
        No video yet.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<p><strong>{html.escape(self.text)}</strong></p>"


def glue(name: str, value: object) -> None:
    """Hand a computed value to the chapter's prose, where {glue:text}`name` shows it.

    In the book's build (myst-nb) the value is glued without showing on the page. Where myst-nb is
    not installed, as on Colab, the prose cannot show it, so the cell prints ``name = value``.

    Example:
        >>> glue("speed_up", 2)  # in the build: nothing on the page; {glue:text}`speed_up` reads 2
    """
    if importlib.util.find_spec("myst_nb") is None:
        print(f"{name} = {value}")
        return
    from myst_nb import glue as myst_nb_glue

    myst_nb_glue(name, value, display=False)
