// A question page may come from the shared page cache (core.page_cache): a logged-in user's own state
// there is one small request, GET /qa/me/<question id>/ (community.views.question_me), put into the
// page's [data-yv-me] box. Its [data-yv-state] then sets the like and follow buttons, leaves no like
// or report button on the user's own posts and shows the asker's accept buttons. A personal render
// fills the box on the server (and the buttons already show the state): nothing is fetched then.
(function () {
  "use strict";
  if (!document.querySelector(".header-nav .who")) return; // a visitor: nothing of their own to show

  function press(form, on) {
    if (!form) return;
    if (on) form.setAttribute("action", form.getAttribute("data-yv-on"));
    var button = form.querySelector("button");
    if (button) button.setAttribute("aria-pressed", on ? "true" : "false");
    form.querySelectorAll("[data-yv-on]").forEach(function (el) { el.hidden = !on; });
    form.querySelectorAll("[data-yv-off]").forEach(function (el) { el.hidden = on; });
  }

  function apply(box) {
    var holder = box.querySelector("[data-yv-state]");
    if (!holder) return;
    var state = JSON.parse(holder.getAttribute("data-yv-state"));
    (state.liked || []).forEach(function (key) { press(document.querySelector('form[data-yv-like="' + key + '"]'), true); });
    if (state.followed) press(document.querySelector("form[data-yv-follow]"), true);
    (state.mine || []).forEach(function (key) {
      document.querySelectorAll('[data-yv-post="' + key + '"]').forEach(function (post) {
        // the user's own post: no like (the count stays) and no report
        post.querySelectorAll(':scope > form[data-yv-like], :scope > .qa-actions > form[data-yv-like]').forEach(function (f) {
          var b = f.querySelector("button");
          if (b) { b.disabled = true; b.title = box.getAttribute("data-yv-own") || ""; }
        });
        post.querySelectorAll(":scope > .qa-report, :scope > .qa-actions > .qa-report").forEach(function (d) { d.hidden = true; });
      });
    });
    if (state.asker) document.querySelectorAll("[data-yv-asker-only]").forEach(function (el) { el.hidden = false; });
  }

  document.querySelectorAll("[data-yv-me]").forEach(function (box) {
    if (box.textContent.trim() || box.querySelector("[data-yv-state]")) { apply(box); return; }
    fetch(box.getAttribute("data-yv-me"), {credentials: "same-origin", headers: {Accept: "text/html"}})
      .then(function (r) { return r.status === 200 ? r.text() : ""; })
      .then(function (html) { if (html) { box.innerHTML = html; apply(box); } })
      .catch(function () {});
  });
})();
