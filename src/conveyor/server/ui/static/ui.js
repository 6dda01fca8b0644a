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
  // A running step's log follows by server-sent events (log_stream.py): its element is kept
  // (hx-preserve) while the steps are polled, and replaced by the polled render once the step
  // has ended. Without EventSource, or when a stream fails, the polled render is the log.
  let streaming = !!window.EventSource;
  const sources = [];
  function element(html) {
    const holder = document.createElement("div");
    holder.innerHTML = html;
    return holder.firstElementChild;
  }
  function stopStreaming(box) {
    streaming = false;
    box.removeAttribute("id"); // the next poll's render replaces it
  }
  function stream(box) {
    if (!streaming) { box.removeAttribute("id"); return; }
    if (box.dataset.following) return;
    box.dataset.following = "1";
    const groups = box.querySelectorAll(":scope > details.group");
    const inGroup = new URL(box.dataset.stream, window.location.href).searchParams.get("group");
    let into = inGroup === "true" && groups.length ? groups[groups.length - 1] : box;
    const source = new EventSource(box.dataset.stream);
    sources.push({ box: box, source: source });
    source.addEventListener("line", function (event) {
      into.appendChild(element(event.data));
      const input = document.getElementById("log-search");
      if (input && input.value) search(input.value);
      follow();
    });
    source.addEventListener("group", function (event) {
      into = box.appendChild(element(event.data));
    });
    source.addEventListener("endgroup", function () { into = box; });
    source.addEventListener("end", function () { source.close(); });
    source.onerror = function () { source.close(); stopStreaming(box); };
  }
  function streamLogs() {
    for (let i = sources.length - 1; i >= 0; i--) {
      if (!sources[i].box.isConnected) { // its step ended: the polled render replaced it
        sources[i].source.close();
        sources.splice(i, 1);
      }
    }
    document.querySelectorAll(".log[data-stream]").forEach(stream);
  }
  document.addEventListener("DOMContentLoaded", streamLogs);
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
      streamLogs();
      const input = document.getElementById("log-search");
      if (input && input.value) search(input.value);
      follow();
    }
  });
})();
