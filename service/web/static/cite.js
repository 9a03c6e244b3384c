// The cite box's copy buttons. Without this file the citations are still plain text to select and copy.
document.addEventListener("DOMContentLoaded", () => {
  const status = document.getElementById("cite-status");
  for (const button of document.querySelectorAll(".cite button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      const text = source.textContent.trim();
      let copied = false;
      if (navigator.clipboard && window.isSecureContext) {
        try {
          await navigator.clipboard.writeText(text);
          copied = true;
        } catch (refused) {
          copied = false;
        }
      }
      if (!copied) {
        // No asynchronous clipboard (a page over plain http from another machine, or permission refused):
        // select the citation, and copy the selection the old way where the browser still allows it.
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        try {
          copied = document.execCommand("copy");
        } catch (unsupported) {
          copied = false;
        }
      }
      if (status) status.textContent = copied ? button.dataset.done : button.dataset.failed;
    });
  }
});
