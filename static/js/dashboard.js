/* Compliance charts on the SLA dashboard (Chart.js, vendored), redrawn after each htmx refresh. */
(function () {
  "use strict";
  var charts = [];
  function draw() {
    var source = document.getElementById("compliance-data");
    if (!source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var rows = data[canvas.getAttribute("data-chart")] || [];
      charts.push(new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: rows.map(function (r) { return r.group_name || "—"; }),
          datasets: [{ data: rows.map(function (r) { return r.compliance === null ? 0 : Math.round(r.compliance * 1000) / 10; }),
                       backgroundColor: "#0a58ca" }]
        },
        options: { animation: false, plugins: { legend: { display: false } },
                   scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } } }
      }));
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", draw);
})();
