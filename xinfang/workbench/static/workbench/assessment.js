// The assessment ranking page (目标考核): the bar chart of the units' totals, and the confirmation
// of 定稿 and 发布. The data comes from the page's json_script element "as-data" (the CSP allows no
// inline script); ECharts is the vendored copy.
(function () {
  "use strict";
  document.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });

  var source = document.getElementById("as-data");
  var el = document.getElementById("as-chart");
  if (!source || !el || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  // One bar per unit, the first rank on top; the box grows with the number of units.
  el.style.height = Math.max(160, 36 * data.names.length + 40) + "px";
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    color: ["#a61b29"],
    textStyle: { fontFamily: "inherit" },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v.toFixed(2) + "分"; } },
    grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", min: 0, max: function (extent) { return Math.max(extent.max, data.fullMarks || 0); } },
    yAxis: { type: "category", inverse: true, data: data.names, axisLabel: { width: 200, overflow: "truncate" } },
    series: [{ type: "bar", name: "总分", barMaxWidth: 24, data: data.totals,
               label: { show: true, position: "right", formatter: function (p) { return p.value.toFixed(2); } } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
