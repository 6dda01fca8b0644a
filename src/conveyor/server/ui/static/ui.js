// conveyor web UI: log search, follow and timestamps (htmx does the rest). No build step.
(function () {
  "use strict";
  function search(term) {
    const needle = term.trim().toLowerCase();
    document.querySelectorAll(".log .line").forEach(function (line) {
      const hit = !needle || line.textContent.toLowerCase().includes(needle);
      line.classList.toggle("hidden", !hit && line.tagName !== "SUMMARY");
      if (hit && needle) {
        const group = line.closest("details");
        if (group) group.open = true;
        const step = group && group.parentElement.closest("details");
        if (step) step.open = true;
      }
    });
  }
  function follow() {
    const box = document.getElementById("log-follow");
    if (box && box.checked) window.scrollTo(0, document.body.scrollHeight);
  }
  document.addEventListener("DOMContentLoaded", function () {
    const input = document.getElementById("log-search");
    if (input) input.addEventListener("input", function () { search(input.value); });
    const times = document.getElementById("log-times");
    if (times) times.addEventListener("change", function () {
      document.body.classList.toggle("show-times", times.checked);
    });
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "steps" || (event.detail.elt && event.detail.elt.id === "steps")) {
      const input = document.getElementById("log-search");
      if (input && input.value) search(input.value);
      follow();
    }
  });
})();
