// Search, made to read at a glance (tests/test_site.py checks both in Chromium).
//
// 1. A result's summary comes from the text of the page, or of the section it links to, without
//    the page's furniture: its contents list, launch menu, "Open in Colab" badge and "Last executed"
//    line. (Sphinx's searchtools.js takes the whole of the page's main element.)
// 2. A page opened from a result highlights the searched words, but not one-letter ones: a pasted
//    message such as b'X11: ...' would otherwise highlight every letter b on the page.

const PAGE_FURNITURE = [
  ".headerlink", "script", "style", ".bd-header-article", ".bd-sidebar-secondary",
  "#print-main-content", ".onlyprint", ".build-info", ".launch-badge", "nav",
];

const keepLongTerms = (terms) => terms.split(/\s+/).filter((term) => term.length > 1).join(" ");

(() => {
  const stored = localStorage.getItem("sphinx_highlight_terms");
  if (stored !== null) localStorage.setItem("sphinx_highlight_terms", keepLongTerms(stored));
  const url = new URL(window.location);
  if (url.searchParams.has("highlight")) {
    url.searchParams.set("highlight", keepLongTerms(url.searchParams.get("highlight")));
    window.history.replaceState(window.history.state, "", url);
  }
})();

document.addEventListener("DOMContentLoaded", () => {
  if (typeof Search === "undefined") return;
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    page.querySelectorAll(PAGE_FURNITURE.join(", ")).forEach((element) => element.remove());
    const main = page.querySelector('[role="main"]') || page.body;
    const section = anchor ? main.querySelector(anchor) : null;
    return (section || main).textContent.replace(/\s+/g, " ");
  };
});
