/* The live dashboard of 现场监控 (EX-6): polls the one JSON snapshot with If-None-Match (a 304 keeps
   what is shown), redraws the figures, lists and the Chart.js chart, and ticks the incidents' SLA clocks
   every second from their due times (no request for that). Every 2 s while the event runs, every 30 s
   otherwise; after a failed request it waits longer and says so. */
(function () {
  "use strict";
  var root = document.getElementById("dash");
  if (!root) return;
  var config = JSON.parse(root.dataset.config);
  var S = JSON.parse(root.dataset.strings);
  var etag = "";
  var running = root.dataset.running === "1";
  var chart = null;
  var incidents = [];
  var skew = 0; // server time − this device's time, ms
  var failures = 0;

  function fmt(text, params) {
    return text.replace(/%\((\w+)\)s/g, function (_m, k) { return params[k] === undefined ? "" : String(params[k]); });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }
  function field(name, value) {
    root.querySelectorAll('[data-field="' + name + '"]').forEach(function (n) {
      if (n.textContent !== String(value)) n.textContent = value;
    });
  }
  function list(name, rows) {
    var box = root.querySelector('[data-list="' + name + '"]');
    if (!box) return;
    box.replaceChildren.apply(box, rows);
  }
  function percent(part, whole) { return whole ? Math.round((part / whole) * 100) + "%" : "0%"; }
  function pairs(items) {
    return items.map(function (p) { return el("li", {}, [el("span", { text: p[0] }), el("strong", { text: String(p[1]) })]); });
  }
  function empty(text, cols) {
    if (cols) return el("tr", {}, [el("td", { colspan: String(cols), class: "muted", text: text })]);
    return el("li", { class: "muted", text: text });
  }
  function cells(values, labels) {
    return values.map(function (v, i) { return el("td", { "data-label": labels[i], text: String(v) }); });
  }
  function headings(table) {
    return Array.prototype.map.call(root.querySelectorAll("[data-testid='" + table + "'] thead th"), function (th) { return th.textContent; });
  }

  function clock(ms) {
    var s = Math.max(0, Math.round(Math.abs(ms) / 1000));
    var m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }
  function tick() {
    var now = Date.now() + skew;
    root.querySelectorAll("[data-due]").forEach(function (n) {
      var due = Date.parse(n.dataset.due);
      if (isNaN(due)) return;
      var left = due - now;
      var state = n.dataset.state;
      if (state === "met") { n.textContent = S.sla_met; n.className = "tag ok"; return; }
      n.textContent = left >= 0 ? fmt(S.sla_left, { time: clock(left) }) : fmt(S.sla_over, { time: clock(left) });
      n.className = "tag " + (left >= 0 ? (left < 5 * 60000 ? "warn" : "ok") : "bad");
    });
  }

  function drawChart(series) {
    var canvas = document.getElementById("dash-chart");
    if (!canvas || typeof window.Chart === "undefined") return;
    if (!chart) {
      chart = new window.Chart(canvas, {
        data: {
          labels: series.labels,
          datasets: [
            { type: "line", label: S.registered, data: series.registered, borderColor: "#0969da", backgroundColor: "#0969da", pointRadius: 0, tension: 0, yAxisID: "y" },
            { type: "line", label: S.checked_in, data: series.checked_in, borderColor: "#c8102e", backgroundColor: "#c8102e", pointRadius: 0, tension: 0, yAxisID: "y" },
            { type: "bar", label: S.arrivals, data: series.arrivals, backgroundColor: "rgba(26,127,55,0.45)", yAxisID: "y1" }
          ]
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            y: { beginAtZero: true, position: "left", ticks: { precision: 0 } },
            y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, ticks: { precision: 0 } }
          },
          plugins: { legend: { position: "bottom" } }
        }
      });
      return;
    }
    chart.data.labels = series.labels;
    chart.data.datasets[0].data = series.registered;
    chart.data.datasets[1].data = series.checked_in;
    chart.data.datasets[2].data = series.arrivals;
    chart.update("none");
  }

  function render(d) {
    running = !!d.running;
    skew = Date.parse(d.generated_at) - Date.now();
    field("step_label", d.step_label);
    field("totals.checked_in", d.totals.checked_in);
    field("totals.expected", d.totals.expected);
    field("totals.percent", percent(d.totals.checked_in, d.totals.expected));
    field("media.label", d.media.checked_in + " / " + d.media.expected);
    field("leads.total", d.leads.total);
    field("leads.people_label", fmt(S.people, { n: d.leads.people }));

    var catLabels = headings("dash-categories");
    list("by_category", d.by_category.length ? d.by_category.map(function (c) {
      return el("tr", {}, cells([c.label, c.checked_in, c.expected, percent(c.checked_in, c.expected)], catLabels));
    }) : [empty(S.no_data, 4)]);
    var gateLabels = headings("dash-gates");
    list("by_gate", d.by_gate.length ? d.by_gate.map(function (g) {
      var row = el("tr", { "data-gate": g.gate_id === null ? "" : String(g.gate_id) }, cells([g.gate, g.checked_in], gateLabels));
      row.lastChild.setAttribute("data-testid", "gate-count");
      return row;
    }) : [empty(S.no_data, 2)]);
    list("leads", pairs(d.leads.by_interest.map(function (i) { return [i.label, i.count]; })));

    if (d.interaction) {
      var keys = Object.keys(d.interaction);
      var rows = keys.map(function (k) { return [S["k_" + k] || k, d.interaction[k]]; });
      if (d.survey && d.survey.count) rows.push([S.rating_avg, d.survey.rating_avg === null ? "—" : d.survey.rating_avg], ["NPS", d.survey.nps === null ? "—" : d.survey.nps]);
      list("interaction", rows.length ? pairs(rows) : [empty(S.no_data)]);
    } else list("interaction", [empty(S.no_data)]);

    incidents = d.incidents;
    if (d.incidents === null || d.incidents === undefined) list("incidents", [empty(S.no_data)]);
    else if (!d.incidents.length) list("incidents", [empty(S.none_open)]);
    else list("incidents", d.incidents.map(function (i) {
      var kids = [el("strong", { text: i.title }), document.createTextNode(" "), el("span", { class: "tag", text: i.category_label || i.category || "" })];
      if (i.sla_due_at && i.sla_state) kids.push(document.createTextNode(" "), el("span", { class: "tag", "data-due": i.sla_due_at, "data-state": i.sla_state, "data-testid": "sla-clock" }));
      if (i.escalated) kids.push(document.createTextNode(" "), el("span", { class: "tag bad", text: S.escalated }));
      return el("li", { "data-incident": String(i.id) }, kids);
    }));

    if (d.show) {
      var rows = [[S.started, d.show.started + " / " + d.show.segments], [S.on_time, d.show.on_time], [S.late_max, d.show.late_minutes_max]];
      if (d.show.current) rows.unshift([S.current, typeof d.show.current === "object" ? (d.show.current.title || d.show.current.name || "") : d.show.current]);
      list("show", pairs(rows));
    } else list("show", [empty(S.no_data)]);

    drawChart(d.series);
    tick();
  }

  function stamp() {
    var t = new Date();
    field("updated", fmt(S.updated, { time: t.toTimeString().slice(0, 8) }));
  }

  function schedule() {
    var wait = running ? config.poll_ms : config.idle_poll_ms;
    if (failures) wait = Math.min(30000, config.poll_ms * Math.pow(2, failures));
    window.setTimeout(poll, wait);
  }

  function poll() {
    if (document.hidden) { schedule(); return; }
    var headers = { "Accept": "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(config.url, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status === 304) return null;
        if (!r.ok) throw new Error(String(r.status));
        etag = r.headers.get("ETag") || "";
        return r.json();
      })
      .then(function (d) {
        failures = 0;
        root.querySelector("[data-testid='dash-offline']").hidden = true;
        if (d) render(d);
        stamp();
      })
      .catch(function () {
        failures += 1;
        var banner = root.querySelector("[data-testid='dash-offline']");
        banner.textContent = fmt(S.offline, { time: Math.round(Math.min(30000, config.poll_ms * Math.pow(2, failures)) / 1000) + "s" });
        banner.hidden = false;
      })
      .then(schedule);
  }

  function start() {
    var canvas = document.getElementById("dash-chart");
    if (canvas && canvas.dataset.series) drawChart(JSON.parse(canvas.dataset.series));
    window.setInterval(tick, 1000);
    poll();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
