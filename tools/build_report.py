"""A Sphinx extension: what built this book, on a "Build report" page and under each chapter's title.

Each executed chapter gets one line under its title: when it was last executed and with which
Gymnasium, linking to build-report.html. That page lists the build's date and machine, each
chapter's execution (myst-nb's execution data: when, from the cache or executed anew, how long),
the Debian packages the Makefile installs for the build (APT_PACKAGES) and every Python package
installed, with their versions. A chapter is re-executed whenever helpers/ or requirements.txt
change (the Makefile's fingerprint), so the Gymnasium that builds the page is the one that ran it.

Prose gets the same figures through a role: {chapter-time}`run` becomes the seconds the chapter's
cells took in that execution, and {chapter-time}`read` its reading time (its paragraphs' words at
200 words a minute, rounded up), so that no Prerequisites line states a time that no build measured.

Listed in _config.yml's extensions as ``tools.build_report`` (the Makefile puts the repository on
PYTHONPATH).
"""

from __future__ import annotations

import html
import importlib.metadata
import os
import platform
import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

ROOT = Path(__file__).resolve().parent.parent
PAGE = "build-report"


def makefile_apt_packages(makefile: str) -> list[str]:
    r"""The Debian packages named by the Makefile's APT_PACKAGES (over continued lines).

    Example:
        >>> makefile_apt_packages("APT_PACKAGES := xvfb xauth \\\n   cmake\nOTHER := make\n")
        ['xvfb', 'xauth', 'cmake']
    """
    found = re.search(r"^APT_PACKAGES\s*:?=((?:.*\\\n)*.*)$", makefile, re.MULTILINE)
    return found.group(1).replace("\\\n", " ").split() if found else []


def debian_versions(packages: list[str]) -> list[tuple[str, str]]:
    """(package, installed version) for each package, as dpkg reports it; 'not installed' if absent."""
    try:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Package} ${Version}\\n", *packages], capture_output=True, text=True
        )
    except FileNotFoundError:
        return [(package, "no dpkg on this machine") for package in packages]
    versions = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    return [(package, versions.get(package) or "not installed") for package in packages]


def python_packages() -> list[tuple[str, str]]:
    """(name, version) of every Python package installed where the book is built, by name."""
    found = {(dist.metadata["Name"] or "?", dist.version) for dist in importlib.metadata.distributions()}
    return sorted(found, key=lambda item: item[0].lower())


def executed_on(timestamp: float) -> str:
    """A POSIX time as the date a reader sees on a page, in UTC.

    Example:
        >>> executed_on(0)
        '1 January 1970, 00:00 UTC'
    """
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def execution_data(app: Sphinx) -> dict[str, dict[str, Any]]:
    """myst-nb's execution data of each executed document: {docname: {mtime, runtime, method, ...}}."""
    metadata = getattr(app.env, "nb_metadata", {})
    return {docname: data["exec_data"] for docname, data in metadata.items() if data.get("exec_data")}


def add_execution_line(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put 'Last executed on DATE with Gymnasium X' under the title of an executed chapter."""
    data = execution_data(app).get(docname)
    section = next(iter(doctree.findall(nodes.section)), None)
    if data is None or section is None or app.builder.format != "html":
        return
    report = app.builder.get_relative_uri(docname, PAGE)
    took = f", in {data['runtime']:.1f} s" if data["runtime"] is not None else ""
    text = (
        f"Last executed on {executed_on(data['mtime'])} with Gymnasium "
        f"{importlib.metadata.version('gymnasium')}{took}. See the "
    )
    # Raw HTML, so that the page's description (sphinxext-opengraph) starts with the chapter's own words.
    line = nodes.raw(
        "", f'<p class="build-info">{html.escape(text)}<a href="{report}">build report</a>.</p>', format="html"
    )
    section.insert(1, line)  # under the title


READING_SPEED = 200  # words a minute


def chapter_time_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Any,
    options: dict[str, Any] | None = None,
    content: list[str] | None = None,
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """The {chapter-time}`run` and {chapter-time}`read` roles: a placeholder that add_chapter_times fills."""
    if text not in ("run", "read"):
        message = inliner.reporter.error(f'{name} takes "run" or "read", not {text!r}', line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    return [nodes.inline(rawtext, text, classes=["chapter-time", f"chapter-time-{text}"])], []


def reading_time(words: int) -> str:
    """How long ``words`` words take to read at READING_SPEED words a minute, rounded up.

    Example:
        >>> reading_time(450), reading_time(3)
        ('about 3 minutes', 'about 1 minute')
    """
    minutes = max(1, -(-words // READING_SPEED))
    return f"about {minutes} minute{'s' if minutes > 1 else ''}"


def chapter_time(kind: str, doctree: nodes.Node, data: dict[str, Any] | None) -> str:
    """What a chapter-time role says: the run time of the chapter's last execution, or its reading time.

    Example:
        >>> from docutils.core import publish_doctree
        >>> chapter_time("run", publish_doctree("text"), {"runtime": 22.71})
        '22.7 s'
        >>> chapter_time("read", publish_doctree("word " * 450), None)
        'about 3 minutes'
    """
    if kind == "read":
        return reading_time(sum(len(paragraph.astext().split()) for paragraph in doctree.findall(nodes.paragraph)))
    if data is None or data.get("runtime") is None:
        return "a time this build did not measure (the page was not executed)"
    return f"{data['runtime']:.1f} s"


def add_chapter_times(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fill each chapter-time placeholder of a page from its execution data and its text."""
    data = execution_data(app).get(docname)
    for placeholder in list(doctree.findall(nodes.inline)):
        if "chapter-time" not in placeholder["classes"]:
            continue
        kind = "run" if "chapter-time-run" in placeholder["classes"] else "read"
        placeholder.parent.replace(placeholder, nodes.Text(chapter_time(kind, doctree, data)))


def table(caption: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """An HTML table in the theme's style; cells are escaped unless they are already markup."""

    def cell(value: str) -> str:
        return value if value.startswith("<a ") else html.escape(value)

    head = "".join(f"<th>{html.escape(name)}</th>" for name in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(value)}</td>" for value in row) + "</tr>" for row in rows)
    return (
        f'<div class="pst-scrollable-table-container"><table class="table">'
        f"<caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def report_page(app: Sphinx) -> list[tuple[str, dict[str, Any], str]]:
    """The build report, as an extra page rendered with the theme's page template."""
    env = app.env
    executed = execution_data(app)
    chapters = [
        (
            f'<a href="{app.builder.get_relative_uri(PAGE, docname)}">{html.escape(env.titles[docname].astext())}</a>',
            executed_on(data["mtime"]),
            "from the execution cache" if data["method"] == "cache" else f"executed ({data['method']})",
            "-" if data["runtime"] is None else f"{data['runtime']:.1f}",
            "yes" if data["succeeded"] else f"no: {data['error']}",
        )
        for docname, data in sorted(executed.items())
    ]
    os_release = Path("/etc/os-release")
    system = (
        re.search(r'^PRETTY_NAME="?([^"\n]*)', os_release.read_text(), re.MULTILINE).group(1)
        if os_release.exists()
        else platform.system()
    )
    machine = [
        ("Built on", executed_on(datetime.now(timezone.utc).timestamp())),
        ("System", f"{system}, {platform.machine()}, {os.cpu_count()} CPUs"),
        ("Python", platform.python_version()),
        ("Gymnasium", importlib.metadata.version("gymnasium")),
    ]
    apt = makefile_apt_packages((ROOT / "Makefile").read_text()) if (ROOT / "Makefile").exists() else []
    body = (
        '<section id="build-report"><h1>Build report</h1>'
        "<p>What built the pages of this book, and when each chapter last ran. Every output in the "
        "chapters comes from executing them with exactly these versions.</p>"
        + table("The build", ("What", "Value"), machine)
        + table("Each chapter's last execution", ("Chapter", "Executed on", "How", "Seconds", "Succeeded"), chapters)
        + table(
            "Debian packages the build uses (the Makefile's APT_PACKAGES)", ("Package", "Version"), debian_versions(apt)
        )
        + table("Python packages installed", ("Package", "Version"), python_packages())
        + "</section>"
    )
    return [(PAGE, {"title": "Build report", "body": body, "meta": {}, "toc": "", "display_toc": False}, "page.html")]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the chapters' execution line and the build report page with Sphinx."""
    app.add_role("chapter-time", chapter_time_role)
    app.connect("doctree-resolved", add_chapter_times)
    app.connect("doctree-resolved", add_execution_line)
    app.connect("html-collect-pages", report_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
