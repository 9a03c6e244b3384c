// Progressive help only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Choosing a section narrows at once; the button stays for dates and for readers without scripts.
  const filters = document.getElementById("filters");
  const section = filters && filters.querySelector("select[name=section]");
  if (section) section.addEventListener("change", () => filters.requestSubmit());

  // "/" puts the cursor in the search box, as on most search sites.
  const box = document.getElementById("q");
  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
});
