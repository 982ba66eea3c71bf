// Search box autocomplete: asks /api/search/suggest as the user types and shows a listbox.
// Keyboard: ↓/↑ move, Enter opens the highlighted suggestion, Esc closes. No library needed.
(function () {
  "use strict";
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-suggestions");
  if (!input || !list) return;
  var url = input.getAttribute("data-suggest-url");
  var timer = null, active = -1, items = [], seq = 0;

  function close() {
    list.hidden = true; list.innerHTML = ""; items = []; active = -1;
    input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
  }
  function setActive(i) {
    items.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
    active = i;
    if (i >= 0) input.setAttribute("aria-activedescendant", items[i].id);
  }
  function render(hits) {
    list.innerHTML = ""; items = [];
    hits.forEach(function (hit, i) {
      var li = document.createElement("li");
      li.id = "search-suggestion-" + i; li.setAttribute("role", "option");
      var a = document.createElement("a");
      a.href = hit.url || ("?q=" + encodeURIComponent(hit.title));
      a.innerHTML = hit.title_html;  // escaped by the server, only <mark> added
      var type = document.createElement("span"); type.className = "suggest-type"; type.textContent = hit.type_label;
      li.appendChild(a); li.appendChild(type); list.appendChild(li); items.push(li);
    });
    list.hidden = hits.length === 0;
    input.setAttribute("aria-expanded", hits.length ? "true" : "false");
  }
  function fetchSuggestions() {
    var q = input.value.trim();
    if (!q) { close(); return; }
    var mine = ++seq;
    fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (hits) { if (mine === seq) render(hits); })
      .catch(close);
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(fetchSuggestions, 150); });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { e.preventDefault(); setActive(Math.min(active + 1, items.length - 1)); }
    else if (e.key === "ArrowUp") { e.preventDefault(); setActive(Math.max(active - 1, -1)); }
    else if (e.key === "Escape") { e.preventDefault(); close(); }  // keep the text (search inputs clear on Esc)
    else if (e.key === "Enter" && active >= 0) { e.preventDefault(); items[active].querySelector("a").click(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 200); });
})();
