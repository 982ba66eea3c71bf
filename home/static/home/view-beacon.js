/* Counts a page view: the content page names its beacon URL in data-view-beacon (no inline script, CSP). */
(function () {
  "use strict";
  var el = document.querySelector("[data-view-beacon]");
  if (el && navigator.sendBeacon) navigator.sendBeacon(el.getAttribute("data-view-beacon"));
})();
