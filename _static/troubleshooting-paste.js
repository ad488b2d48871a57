// The troubleshooting paste box, in the browser, without a server.
//
// The build writes _static/troubleshooting-messages.json (tools/troubleshooting_index.py): every
// message section of the troubleshooting part, with its heading and older or variant wordings.
// What a reader pastes (a whole traceback, or one line full of their own paths and numbers) is
// normalized the same way as those wordings: paths, addresses, numbers, display numbers and
// environment ids become placeholders. Each pasted line (and each pair of lines, for a message
// that a terminal wrapped) is scored against each wording: the share of the wording's words that
// the line holds, each word weighted by how rare it is among all wordings, times a smaller share
// for how much of the line the wording explains. A section's score is its best one.
//
// On the troubleshooting index page it fills <ol id="paste-results"> as the reader types into
// <textarea id="paste-error">; on search.html it shows the best matches for the searched words
// above Sphinx's results, which list only pages holding every word.
(() => {
  "use strict";

  const MAX_RESULTS = 5;
  const MIN_SCORE = 0.35;

  function normalize(text) {
    return text
      .replace(/\x1b\[[0-9;]*m/g, " ")
      .replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, " url ")
      .replace(/(?:[A-Za-z]:)?(?:[\\/][\w.+@~$-]+){2,}[\\/]?/g, " path ")
      .replace(/\b0x[0-9a-f]+\b/gi, " addr ")
      .replace(/\b[A-Za-z][\w]*(?:\/[\w]+)?-v\d+\b/g, " envid ")
      .replace(/\b\d+(?:\.\d+)*\b/g, " 0 ")
      .toLowerCase();
  }

  function words(text) {
    return normalize(text).match(/[a-z0-9_]+/g) || [];
  }

  let catalogue = null;

  function load() {
    if (!catalogue) {
      const root = document.documentElement.dataset.content_root || "";
      catalogue = fetch(`${root}_static/troubleshooting-messages.json`)
        .then((response) => response.json())
        .then((sections) => {
          const frequency = new Map();
          const wordings = [];
          sections.forEach((section) => {
            section.wordings.forEach((wording) => {
              const set = new Set(words(wording));
              set.forEach((word) => frequency.set(word, (frequency.get(word) || 0) + 1));
              wordings.push({ section, set });
            });
          });
          const weight = (word) => Math.log(1 + wordings.length / (frequency.get(word) || 0.5));
          wordings.forEach((wording) => {
            wording.total = [...wording.set].reduce((sum, word) => sum + weight(word), 0);
          });
          return { root, wordings, weight };
        });
    }
    return catalogue;
  }

  function pieces(text) {
    const lines = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => /[A-Za-z]/.test(line));
    const joined = lines.slice(1).map((line, index) => `${lines[index]} ${line}`);
    return [...lines, ...joined].map((line) => new Set(words(line)));
  }

  function match({ wordings, weight }, text) {
    const best = new Map();
    const lines = pieces(text);
    lines.forEach((line) => {
      const lineTotal = [...line].reduce((sum, word) => sum + weight(word), 0);
      if (!lineTotal) return;
      wordings.forEach(({ section, set, total }) => {
        let shared = 0;
        set.forEach((word) => {
          if (line.has(word)) shared += weight(word);
        });
        if (!shared) return;
        const score = (shared / total) * (0.7 + (0.3 * shared) / lineTotal);
        if (score > (best.get(section) || 0)) best.set(section, score);
      });
    });
    return [...best.entries()]
      .filter(([, score]) => score >= MIN_SCORE)
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_RESULTS);
  }

  function show(list, found, root) {
    list.replaceChildren(
      ...found.map(([section]) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = root + section.url;
        link.textContent = section.heading;
        const page = document.createElement("span");
        page.className = "paste-page";
        page.textContent = ` (${section.page.replace(/^book\//, "")})`;
        item.append(link, page);
        return item;
      }),
    );
  }

  function pasteBox(box, list) {
    let timer = null;
    const update = () =>
      load().then((index) => {
        show(list, box.value.trim() ? match(index, box.value) : [], index.root);
        list.setAttribute("aria-busy", "false");
      });
    box.addEventListener("input", () => {
      list.setAttribute("aria-busy", "true");
      clearTimeout(timer);
      timer = setTimeout(update, 120);
    });
    if (box.value.trim()) update();
  }

  function searchPage() {
    const query = new URLSearchParams(window.location.search).get("q");
    const results = document.getElementById("search-results");
    if (!query || !results) return;
    load().then((index) => {
      const found = match(index, query);
      if (!found.length) return;
      const block = document.createElement("div");
      block.id = "paste-matches";
      const title = document.createElement("p");
      title.textContent = "Troubleshooting sections that match this message:";
      const list = document.createElement("ol");
      list.id = "search-paste-results";
      show(list, found, index.root);
      block.append(title, list);
      results.parentNode.insertBefore(block, results);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const box = document.getElementById("paste-error");
    const list = document.getElementById("paste-results");
    if (box && list) pasteBox(box, list);
    searchPage();
  });
})();
