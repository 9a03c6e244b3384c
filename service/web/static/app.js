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

  // A moment the server wrote in its own time zone is shown in the reader's.
  const pad = (n) => String(n).padStart(2, "0");
  for (const time of document.querySelectorAll("time[datetime$='Z']")) {
    const moment = new Date(time.getAttribute("datetime"));
    if (Number.isNaN(moment.getTime())) continue;
    time.textContent = `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())} `
      + `${pad(moment.getHours())}:${pad(moment.getMinutes())}`;
  }
});
