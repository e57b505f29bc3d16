// The technician's clock on the incident pages (EX-5): the minutes left, counted down from what the server
// said (``data-left``, seconds), so that the page needs no reload to show the clock running out. The server
// decides the escalation; this only shows time passing.
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
  var started = Date.now();
  function tick() {
    var nodes = document.querySelectorAll(".sla-left[data-left]");
    for (var i = 0; i < nodes.length; i++) {
      var left = parseInt(nodes[i].getAttribute("data-left"), 10);
      if (isNaN(left)) continue;
      var now = left - Math.floor((Date.now() - started) / 1000);
      var m = Math.floor(Math.abs(now) / 60), s = Math.abs(now) % 60;
      var clock = m + ":" + (s < 10 ? "0" : "") + s;
      nodes[i].textContent = now >= 0 ? (zh ? "剩余 " + clock : clock + " left") : (zh ? "已超时 " + clock : clock + " over");
    }
  }
  tick();
  setInterval(tick, 1000);
})();
