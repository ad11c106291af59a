// The coordinator dashboard: one chart per indicator, the last 12 months against the monthly
// target. The data comes from the page (json_script "dashboard-data"); no inline script (CSP).
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  if (!node || !window.Chart) { return; }
  var data = JSON.parse(node.textContent);
  var lang = document.documentElement.lang || "es";
  var css = getComputedStyle(document.documentElement);
  var primary = (css.getPropertyValue("--orienta") || "").trim() || "#0b5d6b";
  var labels = data.labels.map(function (value) {
    var parts = value.split("-");
    var day = new Date(Number(parts[0]), Number(parts[1]) - 1, 1);
    return day.toLocaleDateString(lang, { month: "short", year: "2-digit" });
  });
  var byCode = {};
  data.indicators.forEach(function (item) { byCode[item.code] = item; });

  document.querySelectorAll("canvas[data-chart-indicator]").forEach(function (canvas) {
    var item = byCode[canvas.dataset.chartIndicator];
    if (!item) { return; }
    new window.Chart(canvas, {
      data: {
        labels: labels,
        datasets: [
          { type: "bar", label: data.text.reached, data: item.reached, backgroundColor: primary, order: 2 },
          { type: "bar", label: data.text["new"], data: item["new"], backgroundColor: "#9cc9cf", order: 3 },
          {
            type: "line", label: data.text.target, data: item.target, borderColor: "#c0392b",
            backgroundColor: "#c0392b", borderDash: [6, 4], pointRadius: 2, stepped: "middle",
            spanGaps: true, order: 1
          }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }
      }
    });
  });
})();

// Reception at the reader's sites in the month: people checked in and those who left without
// service, day by day (json_script "reception-data").
(function () {
  "use strict";
  var node = document.getElementById("reception-data");
  var canvas = document.querySelector("canvas[data-chart-reception]");
  if (!node || !canvas || !window.Chart) { return; }
  var data = JSON.parse(node.textContent);
  var css = getComputedStyle(document.documentElement);
  var primary = (css.getPropertyValue("--orienta") || "").trim() || "#0b5d6b";
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.text.checked_in, data: data.checked_in, backgroundColor: primary },
        { label: data.text.left, data: data.left, backgroundColor: "#c0392b" }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }
    }
  });
})();
