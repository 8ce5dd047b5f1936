// Takt terminal: a live timer, live updates from the plant's change stream, nothing else.
// Every action is a plain form post, so the pages work before (and without) this script.
"use strict";

(function () {
  var skew = 0;

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    return h + ":" + (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var timers = document.querySelectorAll(".timer[data-since]");
    for (var i = 0; i < timers.length; i++) {
      var t = timers[i];
      var since = Date.parse(t.getAttribute("data-since"));
      var base = Number(t.getAttribute("data-base")) || 0;
      t.textContent = clock(base + (Date.now() - skew - since) / 1000);
    }
  }

  function measureSkew() {
    var t = document.querySelector(".timer[data-now]");
    if (t) { skew = Date.now() - Date.parse(t.getAttribute("data-now")); }
  }

  // Replaces each live region with its fresh copy, unless the operator is typing in it.
  function refresh() {
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.redirected || !response.ok) { location.reload(); return null; }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var regions = document.querySelectorAll("[data-region]");
        for (var i = 0; i < regions.length; i++) {
          var old = regions[i];
          var replacement = fresh.getElementById(old.id);
          if (!replacement) { location.reload(); return; }
          if (old.contains(document.activeElement) && document.activeElement.tagName !== "BODY") {
            var focused = document.activeElement.closest("form");
            var action = focused && focused.getAttribute("action");
            old.replaceWith(document.adoptNode(replacement));
            var again = action && document.querySelector('form[action="' + action + '"] button');
            if (again) { again.focus(); }
          } else {
            old.replaceWith(document.adoptNode(replacement));
          }
        }
        measureSkew();
        tick();
        document.body.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () { /* the next change or reconnect tries again */ });
  }

  // Follows the plant's change stream. The stream is closed when the page is left (a page kept
  // for the back button would otherwise hold one of the browser's few connections to the server)
  // and opened again, with a refresh, when it is shown again.
  function follow(path) {
    var pending = null;
    var lost = false;
    var source = null;
    var notice = document.querySelector(".offline");
    function soon() {
      if (pending) { return; }
      pending = setTimeout(function () { pending = null; refresh(); }, 150);
    }
    function connect() {
      source = new EventSource(path);
      source.addEventListener("change", soon);
      source.addEventListener("open", function () {
        if (notice) { notice.hidden = true; }
        if (lost) { lost = false; soon(); }
        document.body.setAttribute("data-live-open", "true");
      });
      source.addEventListener("error", function () {
        lost = true;
        if (notice) { notice.hidden = false; }
        document.body.removeAttribute("data-live-open");
      });
    }
    window.addEventListener("pagehide", function () {
      if (source) { source.close(); source = null; }
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted && !source) { lost = true; connect(); }
    });
    connect();
  }

  document.addEventListener("DOMContentLoaded", function () {
    measureSkew();
    tick();
    setInterval(tick, 1000);
    var live = document.body.getAttribute("data-live");
    if (live && window.EventSource) { follow(live); }
  });
})();
