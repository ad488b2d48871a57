// The page's contents list shows each message on one line, cut short (_static/messages.css): the
// whole message is the link's tooltip.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("nav.page-toc a").forEach((link) => {
    if (link.querySelector("code")) link.title = link.textContent.trim();
  });
});
