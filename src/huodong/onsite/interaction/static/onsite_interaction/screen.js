/* The big screen of interaction (EX-4): polls its data every 2 s with If-None-Match and redraws only
   when the server says something changed (200); a 304 costs nothing. No framework, no inline script. */
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-url");
  var view = body.getAttribute("data-view");
  var etag = "";
  var PERIOD = 2000;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function questions(data) {
    var list = document.getElementById("questions");
    if (!list) return;
    list.textContent = "";
    if (!data.questions.length) {
      list.appendChild(el("li", "empty", list.getAttribute("data-empty")));
      return;
    }
    data.questions.forEach(function (q) {
      var li = el("li", q.pinned ? "pinned" : "");
      if (q.pinned) li.appendChild(el("span", "pin", list.getAttribute("data-pinned")));
      li.appendChild(el("span", "text", q.text));
      if (q.name) li.appendChild(el("span", "who", "— " + q.name));
      list.appendChild(li);
    });
  }

  function show(value) {
    return value === null || value === undefined ? "–" : value;
  }

  function survey(data) {
    var s = data.survey;
    var set = function (id, v) {
      var node = document.getElementById(id);
      if (node) node.textContent = String(show(v));
    };
    set("survey-count", s.count);
    set("survey-avg", s.rating_avg === null || s.rating_avg === undefined ? null : Number(s.rating_avg).toFixed(1));
    set("survey-nps", s.nps);
    var table = document.getElementById("survey-dist");
    if (!table) return;
    Object.keys(s.distribution).forEach(function (k) {
      var row = table.querySelector('tr[data-score="' + k + '"]');
      if (!row) return;
      var meter = row.querySelector("meter");
      meter.max = s.count || 1;
      meter.value = s.distribution[k];
      row.querySelector(".n").textContent = String(s.distribution[k]);
    });
  }

  function lottery(data) {
    var box = document.getElementById("lottery");
    if (!box) return;
    box.textContent = "";
    var d = data.draw;
    if (!d) {
      box.appendChild(el("p", "", box.getAttribute("data-none")));
      return;
    }
    box.appendChild(el("h3", "", d.title));
    box.appendChild(el("p", "", box.getAttribute("data-eligible") + ":" + d.eligible_count));
    box.appendChild(el("p", "hash", box.getAttribute("data-commit") + ":" + d.seed_commitment));
    box.appendChild(el("p", "hash", box.getAttribute("data-hash") + ":" + d.eligible_hash));
    if (d.seed) {
      box.appendChild(el("p", "hash", box.getAttribute("data-seed") + ":" + d.seed));
      var ol = el("ol", "winners");
      d.winners.forEach(function (w) {
        ol.appendChild(el("li", "", w.name + " " + (w.phone_tail || "")));
      });
      box.appendChild(ol);
    } else {
      box.appendChild(el("p", "", box.getAttribute("data-waiting")));
    }
  }

  var draw = { questions: questions, survey: survey, lottery: lottery }[view];

  function stamp() {
    var node = document.getElementById("updated");
    if (node) node.textContent = new Date().toLocaleTimeString();
  }

  function poll() {
    var headers = {};
    if (etag) headers["If-None-Match"] = etag;
    fetch(url, { headers: headers, cache: "no-cache", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 200) {
          etag = response.headers.get("ETag") || "";
          return response.json().then(function (data) {
            if (draw) draw(data);
            stamp();
          });
        }
        if (response.status === 304) stamp();
        return null;
      })
      .catch(function () {})
      .then(function () {
        window.setTimeout(poll, PERIOD);
      });
  }

  poll();
})();
