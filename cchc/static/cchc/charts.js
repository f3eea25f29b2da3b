/* Draws every chart of a page with plotly (served from the installed Python package, see cchc.lib.staticfiles).
   Each <div data-chart="ID"> reads its specification from <script type="application/json" id="ID">; without
   JavaScript, or when plotly is missing, the table beside it carries the same figures. */
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.dataset.chart);
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      window.Plotly.newPlot(element, spec.data, spec.layout, {
        responsive: true, displayModeBar: false, scrollZoom: false, locale: document.documentElement.lang || "vi"
      }).then(function () { element.classList.add("chart-drawn"); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
  // A printed page is narrower than the screen: let the charts take the printed width, then the screen's again.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".chart-drawn").forEach(function (element) { window.Plotly.Plots.resize(element); });
  });
})();
