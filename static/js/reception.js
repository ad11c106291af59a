// Reception figures: people checked in per day (bars), those who left without service and the
// appointments kept and missed. The data comes from the page (json_script); no inline script (CSP).
(function () {
  "use strict";
  var node = document.getElementById("reception-chart-data");
  var canvas = document.getElementById("reception-chart");
  if (!node || !canvas || !window.Chart) { return; }
  var data = JSON.parse(node.textContent);
  var lang = document.documentElement.lang || "es";
  var css = getComputedStyle(document.documentElement);
  var primary = (css.getPropertyValue("--orienta") || "").trim() || "#0b5d6b";
  var labels = data.labels.map(function (value) {
    var parts = value.split("-");
    var day = new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
    return day.toLocaleDateString(lang, { day: "numeric", month: "short" });
  });
  new window.Chart(canvas, {
    data: {
      labels: labels,
      datasets: [
        { type: "bar", label: data.text.checked_in, data: data.checked_in, backgroundColor: primary, order: 2 },
        { type: "bar", label: data.text.left, data: data.left, backgroundColor: "#c0392b", order: 3 },
        { type: "line", label: data.text.kept, data: data.kept, borderColor: "#2e7d32", backgroundColor: "#2e7d32", order: 1 },
        { type: "line", label: data.text.missed, data: data.missed, borderColor: "#b26a00", backgroundColor: "#b26a00", borderDash: [6, 4], order: 1 }
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
