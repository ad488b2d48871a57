"""The built site in a real browser (Debian's headless Chromium), its weight, and its CI workflow."""

from __future__ import annotations

import base64
import functools
import gzip
import http.server
import io
import os
import re
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import PIL.Image
import PIL.ImageChops
import PIL.ImageStat
import pytest
import yaml
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, sync_playwright

from conftest import ROOT, cells, chapter_body, embedded_videos, page, report
from helpers.vnc import CHROMIUM
from helpers.vnc import CHROMIUM_FLAGS as HEADLESS_FLAGS
from tools.colab_notebooks import chapters, colab_link

CHROMIUM_FLAGS = [*HEADLESS_FLAGS, "--autoplay-policy=no-user-gesture-required"]  # videos play untouched
SCREENSHOTS = ROOT / "_build" / "test-artefacts" / "screenshots"
# Kept for a person to look at: each page whole at 1400 px, and its first screen in dark mode and on
# a phone (a whole page takes Chromium seconds more; the checks read the whole page). JPEG takes
# Chromium about a third less time than PNG.
FULL_PAGE = {"full_page": True, "type": "jpeg", "quality": 85}
FIRST_SCREEN = {"type": "jpeg", "quality": 85}
MAX_PAGE_BYTES = 3_000_000
MAX_VIDEO_BYTES = 1_500_000


# Every page of the site: the chapters, the pages Jupyter Book adds (index.html only redirects) and
# the build report (tools/build_report.py).
CHAPTERS = chapters()
SITE_PAGES = [f"{chapter}.html" for chapter in CHAPTERS] + ["search.html", "genindex.html", "build-report.html"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site without logging each request."""

    def log_message(self, format: str, *args: object) -> None:
        """Keep the request log out of the test output."""


@pytest.fixture(scope="module")
def site(built_book: Path) -> Iterator[str]:
    """The built book served over HTTP on the loopback interface, as a web host would serve it."""
    handler = functools.partial(QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


# Waits up to 30 s for the video's first frame, then plays it for half a second, counting the
# "timeupdate" events that playing fires (a loop shorter than that may end where it started). (A
# <source> that fails to decode reports its error on itself, not on the <video>: hence the limit.)
VIDEO_STATE = """async (video) => {
    if (video.readyState < 2) {
        await new Promise((resolve) => {
            video.addEventListener("loadeddata", resolve, {once: true});
            video.addEventListener("error", resolve, {once: true});
            setTimeout(resolve, 30000);
        });
    }
    if (video.readyState >= 2 && !video.error) {
        // read before playing: a loop shorter than the half second below is back at its start then,
        // and while Chromium seeks there readyState drops to 1 (HAVE_METADATA)
        const readyState = video.readyState;
        let updates = 0;
        video.addEventListener("timeupdate", () => updates++);
        await video.play();
        await new Promise((resolve) => setTimeout(resolve, 500));
        return {readyState, duration: video.duration, error: null,
                advanced: updates > 0, paused: video.paused};
    }
    return {readyState: video.readyState, duration: video.duration,
            error: video.error ? video.error.code : "no frame within 30 s"};
}"""


@dataclass
class DesktopView:
    """What a page shows at 1400 x 900 in the light scheme, read in one visit (see desktop_view)."""

    script_errors: list[str]
    videos: list[dict]  # VIDEO_STATE of each video
    frame: dict  # PAGE_FRAME
    fit: dict | None  # FIT, for a chapter


@pytest.fixture(scope="module")
def desktop_view(site: str, browser: Browser) -> Callable[[str], DesktopView]:
    """A page's DesktopView, from one visit that several tests read: its screenshot is kept too."""

    @functools.cache
    def view(page_path: str) -> DesktopView:
        tab = browser.new_page(viewport={"width": 1400, "height": 900})
        script_errors: list[str] = []
        tab.on("pageerror", lambda error: script_errors.append(str(error)))
        tab.goto(f"{site}/{page_path}", wait_until="load")
        frame = tab.evaluate(PAGE_FRAME)
        fit = tab.evaluate(FIT) if page_path.removesuffix(".html") in CHAPTERS else None
        videos = [video.evaluate(VIDEO_STATE) for video in tab.locator("video").element_handles()]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=SCREENSHOTS / (page_path.replace("/", "-").removesuffix(".html") + ".jpg"), **FULL_PAGE)
        tab.close()
        return DesktopView(script_errors, videos, frame, fit)

    return view


@pytest.mark.parametrize("page_path", SITE_PAGES)
def test_every_page_loads_without_script_errors_and_its_videos_play(
    desktop_view: Callable[[str], DesktopView], page_path: str
) -> None:
    view = desktop_view(page_path)

    assert view.script_errors == []
    for state in view.videos:
        assert state["error"] is None, f"media error {state['error']} in {page_path}"
        assert state["readyState"] >= 2 and state["duration"] > 0
        assert state["advanced"] and not state["paused"], f"a video in {page_path} does not play"


# A copy of a video as the page shows it before any of the video has loaded: its attributes without
# its <source>, autoplay or controls, on a magenta background that shows wherever no poster is drawn.
STILL = """(video) => {
    const still = video.cloneNode(false);
    ["autoplay", "controls"].forEach((name) => still.removeAttribute(name));
    still.style.background = "rgb(255, 0, 255)";
    video.after(still);
    return still;
}"""


def test_every_video_shows_its_first_frame_before_it_plays_and_is_labelled(site: str, browser: Browser) -> None:
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    shown = []
    for page_path in SITE_PAGES:
        tab.goto(f"{site}/{page_path}", wait_until="load")
        for number, video in enumerate(tab.locator("video").element_handles(), 1):
            name = f"{page_path} video {number}"
            if video.evaluate("(v) => v.closest('.tag_copy-this') !== null"):
                # A copy-this recipe embeds with IPython's Video, public packages only, in as few lines as
                # work; it plays at once (test_every_page_loads_...) but carries no poster or label.
                shown.append(f"{name}: the copy-this recipe's IPython Video, no poster")
                continue
            poster_uri, label = video.get_attribute("poster") or "", video.get_attribute("aria-label") or ""
            assert re.match(r"data:image/(jpeg|png);base64,", poster_uri), f"{name} has no poster frame"
            assert label.strip(), f"{name} has no aria-label for screen readers"
            still = video.evaluate_handle(STILL).as_element()
            assert still is not None
            drawn = PIL.Image.open(io.BytesIO(still.screenshot())).convert("RGB")
            poster = PIL.Image.open(io.BytesIO(base64.b64decode(poster_uri.split(",", 1)[1]))).convert("RGB")
            difference = PIL.ImageStat.Stat(PIL.ImageChops.difference(drawn, poster.resize(drawn.size))).mean
            assert max(difference) < 16, f"{name} does not show its poster before it plays: {difference}"
            shown.append(f"{name}: {poster.width}x{poster.height} poster, {len(poster_uri) / 1000:.0f} kB, '{label}'")
    tab.close()
    report("Video posters and labels", shown)

    assert shown, "no page has a video"


# The page frame at a desktop width: the search fields a reader sees outside the page's content
# (search.html has its own), and the bands across the top of the page with the text they show once
# search fields are left out.
PAGE_FRAME = """() => {
    const shown = (element) => {
        const box = element.getBoundingClientRect(), style = getComputedStyle(element);
        return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none";
    };
    const search = ".search-button-field, form.bd-search, input[type=search]";
    const searches = [...document.querySelectorAll(search)].filter((element) =>
        shown(element) && !element.closest("main") && !element.parentElement.closest(search));
    const bands = [...document.querySelectorAll("body *")].filter((element) => {
        const box = element.getBoundingClientRect();
        return shown(element) && box.top <= 1 && box.height >= 8 && box.width >= 0.9 * innerWidth;
    }).map((band) => {
        const copy = band.cloneNode(true);
        copy.querySelectorAll(".search-button-field, form, script, style").forEach((e) => e.remove());
        return {tag: band.tagName, className: band.className, text: copy.textContent.trim()};
    });
    return {searches: searches.length, emptyBands: bands.filter((band) => band.text === "")};
}"""


@pytest.mark.parametrize("page_path", SITE_PAGES)
def test_every_page_shows_one_search_field_and_no_empty_header_band(
    desktop_view: Callable[[str], DesktopView], page_path: str
) -> None:
    frame = desktop_view(page_path).frame

    assert frame["searches"] == 1, f"{page_path} shows {frame['searches']} search fields"
    assert frame["emptyBands"] == [], f"{page_path} starts with a band that shows nothing but search"


# Text in the page's tables and cell outputs whose contrast with the background behind it is under
# WCAG's 4.5:1 for normal text (the background is the first opaque one among the element's ancestors).
LOW_CONTRAST = """() => {
    const channels = (colour) => {
        const numbers = colour.match(/[\\d.]+/g).map(Number);
        const rgb = colour.startsWith("color(srgb") ? numbers.slice(0, 3).map((n) => n * 255) : numbers.slice(0, 3);
        return {rgb, alpha: numbers.length > 3 ? numbers[3] : 1};
    };
    const luminance = ([r, g, b]) => {
        const linear = (c) => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    };
    const background = (element) => {
        for (let e = element; e; e = e.parentElement) {
            const {rgb, alpha} = channels(getComputedStyle(e).backgroundColor);
            if (alpha > 0.5) return rgb;
        }
        return [255, 255, 255];
    };
    const owns_text = (e) => [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    return [...document.querySelectorAll("main table, main table *, main div.cell_output, main div.cell_output *")]
        .filter((e) => owns_text(e) && e.getBoundingClientRect().width > 0)
        .map((e) => {
            const [a, b] = [luminance(channels(getComputedStyle(e).color).rgb), luminance(background(e))];
            return {text: e.textContent.trim().slice(0, 40), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
        })
        .filter(({ratio}) => ratio < 4.5);
}"""

# Elements that reach past the page's width and are not inside a box on the page that scrolls or
# clips them, nor inside a closed drawer (a fixed box wholly beside the page, such as the theme's
# sidebars on a phone, whose own clipping boxes lie beside the page too).
OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    const outside = (box) => box.right > width + 1 || box.left < -1;
    const contained = (element) => {
        for (let e = element.parentElement; e && e !== document.body; e = e.parentElement) {
            const box = e.getBoundingClientRect(), style = getComputedStyle(e);
            if (style.position === "fixed" && (box.left >= width || box.right <= 0)) return true;
            if (style.overflowX !== "visible" && !outside(box)) return true;
        }
        return false;
    };
    return [...document.querySelectorAll("body *")].filter((e) => {
        const box = e.getBoundingClientRect(), style = getComputedStyle(e);
        return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && outside(box) && !contained(e);
    }).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}: ${e.textContent.trim().slice(0, 40)}`);
}"""


@pytest.mark.parametrize("page_path", SITE_PAGES)
def test_every_page_reads_well_in_dark_mode_and_fits_a_phone(site: str, browser: Browser, page_path: str) -> None:
    name = page_path.replace("/", "-").removesuffix(".html")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    dark = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    dark.goto(f"{site}/{page_path}", wait_until="load")
    theme, low_contrast = dark.evaluate("document.documentElement.dataset.theme"), dark.evaluate(LOW_CONTRAST)
    dark.screenshot(path=SCREENSHOTS / f"{name}-dark.jpg", **FIRST_SCREEN)
    dark.close()
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(f"{site}/{page_path}", wait_until="load")
    page_width, overflowing = phone.evaluate("document.documentElement.scrollWidth"), phone.evaluate(OVERFLOWING)
    phone.screenshot(path=SCREENSHOTS / f"{name}-phone.jpg", **FIRST_SCREEN)
    phone.close()

    assert theme == "dark"
    assert low_contrast == [], f"text in {page_path} that is hard to read in dark mode: {low_contrast[:5]}"
    assert overflowing == [] and page_width <= 390, f"{page_path} is wider than a phone: {overflowing[:5]}"


def test_the_site_root_redirects_to_the_first_chapter(site: str, browser: Browser) -> None:
    tab = browser.new_page()

    tab.goto(f"{site}/index.html")
    tab.wait_for_url(f"{site}/{chapters()[0]}.html")
    tab.close()


def test_no_page_weighs_over_3_mb_and_no_video_over_1_5_mb(built_book: Path) -> None:
    lines, too_heavy = [], []
    for page_path in SITE_PAGES:
        html = (built_book / page_path).read_bytes()
        videos = embedded_videos(BeautifulSoup(html, "html.parser"))
        lines.append(f"{len(html) / 1e6:6.2f} MB  {page_path}")
        lines += [
            f"{v.size / 1e6:6.2f} MB    video {i + 1}: {v.seconds:.1f} s, {v.frames} frames"
            for i, v in enumerate(videos)
        ]
        too_heavy += [page_path] * (len(html) > MAX_PAGE_BYTES)
        too_heavy += [f"{page_path} video {i + 1}" for i, v in enumerate(videos) if v.size > MAX_VIDEO_BYTES]
    report("Page and video sizes", lines)

    assert too_heavy == []


def site_config() -> dict:
    """The book's _config.yml: its title and the address GitHub Pages publishes it at (html.baseurl)."""
    return yaml.safe_load((ROOT / "_config.yml").read_text())


@pytest.mark.parametrize("chapter", chapters())
def test_every_chapter_has_a_link_card_and_a_description_for_search_engines(built_book: Path, chapter: str) -> None:
    config = site_config()
    soup = BeautifulSoup((built_book / f"{chapter}.html").read_text(), "html.parser")
    tags = {tag["property"]: tag["content"] for tag in soup.select("meta[property^='og:']")}
    description = soup.select_one("meta[name=description]")
    first_paragraph = " ".join(soup.select_one("main section p:not(.build-info)").get_text().split())

    assert tags["og:title"] == soup.select_one("main h1").get_text().strip("#¶ ")
    assert tags["og:site_name"] == config["title"]
    assert (
        tags["og:url"]
        == soup.select_one("link[rel=canonical]")["href"]
        == config["html"]["baseurl"] + f"{chapter}.html"
    )
    assert description is not None and description["content"] == tags["og:description"]
    assert first_paragraph[:60] in tags["og:description"], (first_paragraph[:60], tags["og:description"])
    assert tags["og:image"].startswith(config["html"]["baseurl"]) and tags["og:image:alt"]
    image = PIL.Image.open(built_book / tags["og:image"].removeprefix(config["html"]["baseurl"]))
    assert image.format == "PNG" and image.size == (int(tags["og:image:width"]), int(tags["og:image:height"]))


def test_the_sitemap_lists_every_chapter_at_its_published_address(built_book: Path) -> None:
    base = site_config()["html"]["baseurl"]
    sitemap = ElementTree.parse(built_book / "sitemap.xml").getroot()
    namespace = {"sitemap": "http://www.sitemaps.org/schemas/sitemap/0.9"}

    assert sorted(loc.text for loc in sitemap.findall("sitemap:url/sitemap:loc", namespace)) == sorted(
        base + f"{page}.html" for page in [*chapters(), "book/api"]
    )


def test_the_github_workflow_passes_actionlint() -> None:
    actionlint = Path(sys.executable).parent / "actionlint"  # installed by requirements.txt
    assert actionlint.exists(), "actionlint is not installed: pip install -r requirements.txt"

    result = subprocess.run([actionlint, "-no-color"], cwd=ROOT, capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr
    assert (ROOT / ".github" / "workflows" / "book.yml").exists()


# Sections whose heading is a message (the troubleshooting pages): each heading's font size against
# the body text's, and its height; the contents list's labels (as the desktop sidebar shows them).
MESSAGE_HEADINGS = """() => {
    const size = (element) => parseFloat(getComputedStyle(element).fontSize);
    const body = size(document.querySelector("main p"));
    const headings = [...document.querySelectorAll("main h2, main h3")].filter((h) => h.querySelector("code"));
    return {
        headings: headings.map((h) => ({
            text: h.textContent.replace("#", "").trim().slice(0, 60),
            scale: Math.max(...[h, ...h.querySelectorAll("code")].map((e) => size(e))) / body,
            height: h.getBoundingClientRect().height,
        })),
        labels: [...document.querySelectorAll("nav.page-toc a")].filter((a) => a.querySelector("code")).map((a) => ({
            text: a.textContent.trim().slice(0, 60),
            lines: Math.round(a.getBoundingClientRect().height / parseFloat(getComputedStyle(a).lineHeight)),
            chip: getComputedStyle(a.querySelector("code")).backgroundColor !== "rgba(0, 0, 0, 0)",
            tooltip: a.title === a.textContent.trim(),
        })),
    };
}"""


@pytest.mark.parametrize("chapter", [c for c in chapters() if c.startswith("book/troubleshooting-")])
def test_message_headings_read_as_titles_on_a_phone_and_as_labels_in_the_contents(
    site: str, browser: Browser, chapter: str
) -> None:
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(f"{site}/{chapter}.html", wait_until="load")
    headings = phone.evaluate(MESSAGE_HEADINGS)["headings"]
    phone.close()
    desktop = browser.new_page(viewport={"width": 1400, "height": 900})
    desktop.goto(f"{site}/{chapter}.html", wait_until="load")
    labels = desktop.evaluate(MESSAGE_HEADINGS)["labels"]
    desktop.close()
    report(
        f"Message headings on a phone, {chapter}",
        [f"{h['scale']:.2f}x {h['height']:4.0f} px  {h['text']}" for h in headings],
    )

    assert headings and labels
    assert [h for h in headings if h["scale"] > 1.3] == []
    assert [h for h in headings if h["height"] > 0.35 * 844] == []
    assert [label for label in labels if label["lines"] > 1 or label["chip"] or not label["tooltip"]] == []


def test_no_page_shows_the_folder_the_book_was_built_in(built_book: Path) -> None:
    folders = {str(ROOT), os.path.realpath(ROOT), os.path.realpath(ROOT / ".venv")}
    shown = {
        page_path: sorted(folder for folder in folders if folder in (built_book / page_path).read_text())
        for page_path in SITE_PAGES
    }

    assert {page_path: found for page_path, found in shown.items() if found} == {}
    assert ".venv/lib/python" in (built_book / "book/setup.html").read_text()  # shown relative to the project


NOISE = {
    "IPython's confirmation of %xmode": "Exception reporting mode:",
    "ale-py's banner, after its first": "A.L.E: Arcade Learning Environment",
    "gym's unmaintained notice, after its first": "Gym has been unmaintained since 2022",
    "MuJoCo's settotalmass warning, after its first": "settotalmass",
}


@pytest.mark.parametrize("chapter", chapters())
def test_no_page_repeats_a_banner_or_a_warning_in_its_outputs(built_book: Path, chapter: str) -> None:
    # The copy-this recipe and the chapter below it are two programs a reader runs apart (test_copy_this
    # runs the recipe alone): each may show a banner or a warning once.
    recipe = "\n".join(out.get_text() for out in page(built_book, chapter).select("div.tag_copy-this div.cell_output"))
    body = "\n".join(cell.output for cell in cells(chapter_body(built_book, chapter)))
    parts = {"the copy-this recipe": recipe, "the chapter": body}
    counts = {(what, part): outputs.count(text) for what, text in NOISE.items() for part, outputs in parts.items()}

    assert (
        recipe.count(NOISE["IPython's confirmation of %xmode"]) + body.count(NOISE["IPython's confirmation of %xmode"])
        == 0
    )
    assert {what: count for what, count in counts.items() if count > 1} == {}


# The page at a desktop width: code cells and tables whose content is wider than their box (which
# would hide it or make it scroll sideways), the helpers' table cells without padding, the videos'
# widths and scaling, and the "Open in Colab" badge under the title.
FIT = """() => {
    const clipped = (e) => e.scrollWidth > e.clientWidth + 1;
    const frame = (table) => table.closest(".pst-scrollable-table-container, .output") || table.parentElement;
    const label = (e) => e.textContent.trim().replace(/\\s+/g, " ").slice(0, 60);
    const badge = document.querySelector("main .launch-badge a");
    const title = document.querySelector("main section > h1");
    return {
        code: [...document.querySelectorAll("main div.cell_input pre")].filter(clipped).map(label),
        tables: [...document.querySelectorAll("main table:not(.gallery)")]
            .filter((t) => t.getBoundingClientRect().width > frame(t).clientWidth + 1).map(label),
        unpadded: [...document.querySelectorAll("main div.cell_output table td")]
            .filter((td) => parseFloat(getComputedStyle(td).paddingLeft) < 4).length,
        videos: [...document.querySelectorAll("main video")].map((v) => ({
            width: v.getBoundingClientRect().width, native: v.videoWidth || v.width,
            rendering: getComputedStyle(v).imageRendering, label: v.getAttribute("aria-label"),
        })),
        badge: badge ? {href: badge.href, text: badge.textContent.trim(),
                        below: badge.getBoundingClientRect().top - title.getBoundingClientRect().bottom} : null,
    };
}"""


@pytest.mark.parametrize("chapter", chapters())
def test_every_chapter_fits_its_column_at_1400_px_with_videos_320_px_wide_and_a_colab_badge(
    desktop_view: Callable[[str], DesktopView], chapter: str
) -> None:
    fit = desktop_view(f"{chapter}.html").fit
    assert fit is not None

    assert fit["code"] == [], f"{len(fit['code'])} code cells of {chapter} are cut off: {fit['code'][:3]}"
    assert fit["tables"] == [] and fit["unpadded"] == 0
    for video in fit["videos"]:
        assert video["width"] >= 320, video
        assert video["native"] >= 320 or video["rendering"] == "pixelated", video
    assert fit["badge"] is not None and fit["badge"]["text"] == "Open in Colab"
    assert fit["badge"]["href"] == colab_link(chapter) and 0 <= fit["badge"]["below"] < 80


# The gallery's frame after typing into its filter box and scrolling it down and to the right.
GALLERY = """async (query) => {
    const table = document.querySelector("table.gallery"), frame = table.parentElement;
    const filter = document.querySelector("input.gallery-filter");
    const visible = () => [...table.tBodies[0].rows].filter((row) => !row.hidden && row.getClientRects().length);
    const total = visible().length;
    filter.value = query;
    filter.dispatchEvent(new Event("input"));
    const kept = visible().map((row) => row.cells[1].textContent.trim());
    filter.value = "";
    filter.dispatchEvent(new Event("input"));
    frame.scrollTop = frame.scrollHeight / 2;
    frame.scrollLeft = frame.scrollWidth;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const box = frame.getBoundingClientRect(), header = table.tHead.rows[0].cells[1].getBoundingClientRect();
    const row = visible().find((r) => r.getBoundingClientRect().top > header.bottom);
    const inside = (cell) => {
        const b = cell.getBoundingClientRect();
        return b.left >= box.left - 1 && b.right <= box.right + 1;
    };
    return {
        total, kept, frameHeight: box.height, scrolledDown: frame.scrollTop > 0, scrolledRight: frame.scrollLeft > 0,
        headerInView: Math.abs(header.top - box.top) < 2,
        keyColumnsInView: inside(row.cells[0]) && inside(row.cells[1]),
    };
}"""


def test_the_gallery_filters_its_rows_and_keeps_its_header_and_key_columns_in_view(site: str, browser: Browser) -> None:
    tab = browser.new_page(viewport={"width": 1400, "height": 900})
    tab.goto(f"{site}/book/gallery.html", wait_until="load")
    gallery = tab.evaluate(GALLERY, "Pong")
    tab.close()

    assert gallery["total"] > 100 and 0 < len(gallery["kept"]) < 10
    assert all("pong" in env_id.lower() for env_id in gallery["kept"]), gallery["kept"]
    assert gallery["frameHeight"] <= 900 and gallery["scrolledDown"] and gallery["scrolledRight"]
    assert gallery["headerInView"] and gallery["keyColumnsInView"]


# A search's results once their summaries are in, and where a result's link lands: the target's
# heading against the theme's sticky header and the window; and the words highlighted after a search.
SEARCH_RESULTS = """async () => {
    const items = () => [...document.querySelectorAll("#search-results li")];
    for (let i = 0; i < 200 && !(items().length && items().every((item) => item.querySelector("p.context"))); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return items().map((item) => ({
        href: item.querySelector("a").href, summary: (item.querySelector("p.context") || {}).textContent || "",
        highlighted: [...item.querySelectorAll(".highlighted")].map((e) => e.textContent),
    }));
}"""
LANDING = """() => {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    const section = target.closest("section") || target;
    const heading = section.querySelector("h1, h2, h3");
    const box = heading.getBoundingClientRect(), header = document.querySelector(".bd-header").getBoundingClientRect();
    return {heading: heading.textContent.trim().slice(0, 60), top: box.top, headerBottom: header.bottom,
            highlighted: [...document.querySelectorAll(".highlighted")].map((e) => e.textContent)};
}"""
FURNITURE = ["Last executed", "Contents Overview", "Open in Colab", "Launch interactive content"]


def test_search_summaries_show_section_text_and_results_land_on_their_heading(site: str, browser: Browser) -> None:
    tab = browser.new_page(viewport={"width": 1400, "height": 900})
    message = "b'X11: The DISPLAY environment variable is missing'"
    tab.goto(f"{site}/search.html?q={urllib.parse.quote(message)}", wait_until="load")
    results = tab.evaluate(SEARCH_RESULTS)
    landed = []
    for result in [r for r in results if "#" in r["href"]][:3]:
        tab.goto(f"{site}/search.html?q={urllib.parse.quote(message)}", wait_until="load")
        tab.evaluate(SEARCH_RESULTS)
        tab.click(f"#search-results a[href$='{result['href'].rsplit('/', 1)[1]}']")
        tab.wait_for_load_state("load")
        tab.wait_for_timeout(500)
        landed.append(tab.evaluate(LANDING))
    tab.close()
    report("Search results", [f"{r['href'].rsplit('/', 1)[1]}: {r['summary'][:100]}" for r in results[:5]])

    assert results and landed and all(r["summary"] for r in results)
    assert [word for r in results for word in r["highlighted"] if len(word) < 2] == []
    assert [r["summary"][:80] for r in results if any(word in r["summary"] for word in FURNITURE)] == []
    for landing in landed:
        assert landing["headerBottom"] <= landing["top"] < 900 / 2, landing
        assert landing["highlighted"] and [word for word in landing["highlighted"] if len(word) < 2] == []


class GzipHandler(QuietHandler):
    """Serves the built site with its text files gzipped, as GitHub Pages serves them."""

    TEXT = ("text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml")

    def send_head(self) -> io.BytesIO | None:
        """The file, gzipped when the browser accepts it and it is text."""
        path = Path(self.translate_path(self.path))
        content_type = self.guess_type(str(path))
        if not path.is_file() or content_type not in self.TEXT or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        data = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


# Slow 4G as the issue measured it: 1.6 Mbit/s down, 150 ms latency.
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
FIRST_PAINT = """() => new Promise((resolve) => new PerformanceObserver((list) => {
    const paint = list.getEntries().find((entry) => entry.name === "first-contentful-paint");
    if (paint) resolve(paint.startTime);
}).observe({type: "paint", buffered: true}))"""
BLOCKING = """() => [performance.getEntriesByType("navigation")[0], ...performance.getEntriesByType("resource")]
    .filter((entry) => entry.entryType === "navigation" || entry.renderBlockingStatus === "blocking")
    .map((entry) => ({name: entry.name.split("/").pop(), bytes: entry.transferSize}))"""
# What the first paint waits for (the page and the stylesheets and scripts that block rendering) must
# arrive within 2.5 s over that link: what 1.6 Mbit/s carries in the time left after a round trip
# for the page and two more for what it loads (a stylesheet's @import among them).
FIRST_PAINT_BYTES = round((2.5 - 3 * 0.150) * 1.6e6 / 8)


def test_the_first_paint_over_slow_4g_waits_for_less_than_the_link_carries_in_2_5_s(
    built_book: Path, browser: Browser
) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=built_book))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    requested: list[str] = []
    tab.on("request", lambda request: requested.append(request.url))
    cdp = context.new_cdp_session(tab)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    tab.goto(f"http://127.0.0.1:{server.server_port}/{chapters()[0]}.html", wait_until="commit")
    first_paint = tab.evaluate(FIRST_PAINT)
    tab.wait_for_load_state("load")
    blocking = tab.evaluate(BLOCKING)
    icons = tab.evaluate("getComputedStyle(document.querySelector('.fa-rocket'), '::before').fontFamily")
    context.close()
    server.shutdown()
    total = sum(entry["bytes"] for entry in blocking)
    report(
        "First paint of the first chapter over slow 4G, gzipped",
        [f"first contentful paint after {first_paint / 1000:.1f} s (varies with the machine's load)"]
        + [f"{entry['bytes'] / 1000:6.1f} kB  {entry['name']}" for entry in blocking]
        + [f"{total / 1000:6.1f} kB  in all, of at most {FIRST_PAINT_BYTES / 1000:.0f} kB"],
    )

    assert total <= FIRST_PAINT_BYTES
    assert not [url for url in requested if url.split("?")[0].endswith("fontawesome.js")]  # 1.5 MB of script
    assert "Font Awesome" in icons  # the theme's stylesheet draws the icons with its web fonts, fetched after
