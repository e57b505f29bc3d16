// The stage's regions refresh themselves (EX-3): every element with data-poll="<url>" asks its URL every
// 2 seconds with If-None-Match; 304 leaves it as it is, 200 replaces its content. A region the reader is
// typing in is left alone until they leave it. Without JavaScript the page has a refresh link.
(function () {
  "use strict";
  var EVERY = 2000;

  function poll(region) {
    var url = region.getAttribute("data-poll");
    var tag = null;
    var busy = false;

    function tick() {
      if (busy || document.hidden) return;
      if (region.contains(document.activeElement) && document.activeElement.tagName !== "BUTTON") return;
      busy = true;
      var headers = { "X-Requested-With": "poll" };
      if (tag) headers["If-None-Match"] = tag;
      fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.status === 200) {
            tag = response.headers.get("ETag");
            return response.text().then(function (html) {
              var holder = document.createElement("div");
              holder.innerHTML = html;
              var fresh = holder.firstElementChild;
              if (fresh) {
                region.innerHTML = fresh.innerHTML;
                region.setAttribute("data-polled", String(Date.now()));
              }
            });
          }
          return null;
        })
        .catch(function () { /* offline for a moment: the next tick tries again */ })
        .then(function () { busy = false; });
    }

    window.setInterval(tick, EVERY);
  }

  function start() {
    var regions = document.querySelectorAll("[data-poll]");
    for (var i = 0; i < regions.length; i++) poll(regions[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
