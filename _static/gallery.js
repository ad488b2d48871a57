// The gallery's filter box (helpers/gallery.py draws the table, _static/fit.css its frame): type
// part of an id, a family or an error, and only the rows that contain it stay.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table.gallery").forEach((table) => {
    const rows = [...table.tBodies[0].rows];
    const texts = rows.map((row) => row.textContent.toLowerCase());
    const filter = document.createElement("input");
    filter.type = "search";
    filter.className = "gallery-filter";
    filter.placeholder = `Filter the ${rows.length} environments, e.g. Pong`;
    filter.setAttribute("aria-label", "Filter the environments");
    const count = document.createElement("p");
    count.setAttribute("aria-live", "polite");
    filter.addEventListener("input", () => {
      const words = filter.value.toLowerCase().split(/\s+/).filter((word) => word);
      let shown = 0;
      rows.forEach((row, i) => {
        const keep = words.every((word) => texts[i].includes(word));
        row.hidden = !keep;
        shown += keep;
      });
      count.textContent = words.length ? `${shown} of ${rows.length} environments` : "";
    });
    const frame = table.parentElement;
    frame.before(filter, count);
  });
});
