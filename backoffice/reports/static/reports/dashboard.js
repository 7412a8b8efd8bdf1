// Draws the dashboard charts from the JSON embedded in the page (Chart.js, vendored).
// Chart.js 4.6.1 (MIT licence, npm package "chart.js") is vendored as
// reports/vendor/chart.umd.min.js (its last line, the source-map URL, removed: the
// manifest storage of collectstatic refuses a reference to a file not shipped);
// its licence is in reports/vendor/chart.js-LICENSE.md.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sp-chart-data").textContent);
  // Same number style as the cards ($ 1,234.56), not the browser's locale.
  var money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
  var palette = ["#0d9488", "#94a3b8", "#f59e0b", "#6366f1", "#ef4444", "#22c55e", "#0ea5e9", "#a855f7"];
  var dark = document.documentElement.classList.contains("dark");
  if (window.Chart) {
    Chart.defaults.color = dark ? "#d4d4d8" : "#52525b";
    Chart.defaults.font.family = "inherit";
  }
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = data[canvas.dataset.chart];
    if (!spec || !window.Chart) { return; }
    if (spec.empty) {
      var note = document.createElement("p");
      note.className = "sp-chart-empty";
      note.textContent = canvas.dataset.empty || "";
      canvas.replaceWith(note);
      return;
    }
    var type = canvas.dataset.type || "bar";
    var horizontal = canvas.dataset.horizontal === "1";
    if (horizontal) {  // as tall as its bars: one cashier needs no 240 px
      canvas.parentNode.style.height = Math.max(110, spec.labels.length * 26 + 50) + "px";
    }
    var datasets = spec.series.map(function (s, i) {
      var color = type === "doughnut" ? palette : palette[i % palette.length];
      return {
        label: s.label, data: s.data, backgroundColor: color, borderColor: color,
        borderWidth: type === "line" ? 2 : 0, cubicInterpolationMode: "monotone",
        pointRadius: 0, fill: false, maxBarThickness: 28, borderRadius: type === "bar" ? 3 : 0
      };
    });
    var tooltip = { callbacks: { label: function (ctx) {
      var v = ctx.parsed && typeof ctx.parsed === "object" ? (horizontal ? ctx.parsed.x : ctx.parsed.y) : ctx.parsed;
      return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + money.format(v);
    } } };
    var options = {
      responsive: true, maintainAspectRatio: false, animation: false,
      indexAxis: horizontal ? "y" : "x",
      plugins: { legend: { display: spec.series.length > 1 || type === "doughnut", position: "bottom" }, tooltip: tooltip }
    };
    if (type !== "doughnut") {
      var valueAxis = { beginAtZero: true, ticks: { callback: function (v) { return "$" + Number(v).toLocaleString("en-US"); } } };
      options.scales = horizontal ? { x: valueAxis, y: { ticks: { autoSkip: false } } } : { y: valueAxis, x: { ticks: { maxRotation: 0, autoSkipPadding: 8 } } };
    }
    new Chart(canvas, { type: type, data: { labels: spec.labels, datasets: datasets }, options: options });
  });
})();
