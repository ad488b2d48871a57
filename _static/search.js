// Search, made to read at a glance (tests/test_site.py checks both in Chromium).
//
// 1. A result's summary comes from the text of the page, or of the section it links to, without
//    the page's furniture: its contents list, launch menu, "Open in Colab" badge and "Last executed"
//    line. (Sphinx's searchtools.js takes the whole of the page's main element, or for a result in
//    the index, the index entry's empty target.)
// 2. A result in the index links to the index entry's target, just under the section's heading:
//    the page opens with that heading in view, without a long smooth scroll.
// 3. The results, and a page opened from them, highlight the searched words, but not one-letter
//    ones: a pasted message such as b'X11: ...' would otherwise highlight every letter b.

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
  const parseQuery = Search._parseQuery;
  Search._parseQuery = (query) => {
    const [searchQuery, searchTerms, excludedTerms, highlightTerms, objectTerms] = parseQuery(query);
    const longTerms = new Set([...highlightTerms].filter((term) => term.length > 1));
    localStorage.setItem("sphinx_highlight_terms", [...longTerms].join(" "));
    return [searchQuery, searchTerms, excludedTerms, longTerms, objectTerms];
  };
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    page.querySelectorAll(PAGE_FURNITURE.join(", ")).forEach((element) => element.remove());
    const main = page.querySelector('[role="main"]') || page.body;
    // An anchor is a section, or a target inside one, such as an index entry's (empty) span.
    const target = anchor ? main.querySelector(anchor) : null;
    const section = target ? target.closest("section") || target : main;
    return section.textContent.replace(/\s+/g, " ");
  };
});

// A page opened at an anchor shows it at once (the theme scrolls smoothly, which across a long page
// would still be under way when the reader looks). An index entry's target (id "index-N": an empty
// span, or the paragraph under the heading) sits just below its section's heading: the page shows
// the section from its heading.
const showTarget = () => {
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  const shown = target && target.id.startsWith("index-") ? target.closest("section") || target : target;
  if (shown) shown.scrollIntoView({behavior: "instant"});
};
window.addEventListener("load", showTarget);
window.addEventListener("hashchange", () => location.hash.startsWith("#index-") && showTarget());
