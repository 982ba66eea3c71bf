// A station page may come from the shared page cache (core.page_cache): a logged-in user's own state
// there (their bookings, the manager's link) is one small request, GET /stations/me/<page id>/.
(function () {
  "use strict";
  if (!document.querySelector(".header-nav .who")) return; // a visitor: nothing of their own to show
  document.querySelectorAll("[data-yv-me]").forEach(function (box) {
    if (box.textContent.trim()) return; // a personal render already shows it
    fetch(box.getAttribute("data-yv-me"), {credentials: "same-origin", headers: {Accept: "text/html"}})
      .then(function (r) { return r.status === 200 ? r.text() : ""; })
      .then(function (html) { if (html) box.innerHTML = html; })
      .catch(function () {});
  });
})();
