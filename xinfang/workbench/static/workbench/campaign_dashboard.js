// The bars of a 积案化解 dashboard (挂图作战): per responsible unit, its items stacked by how far
// they have come. The data comes from the page's json_script element "campaign-data" (the CSP
// allows no inline script); ECharts is the vendored copy.
(function () {
  "use strict";
  var source = document.getElementById("campaign-data");
  var el = document.getElementById("campaign-units-chart");
  if (!source || !el || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  if (!data.units.length) {
    el.classList.add("stat-chart-empty");
    el.textContent = "尚未列入事项";
    return;
  }
  // 实体化解 green, 申请化解 blue, 办结提交 amber, 未提交 grey: the further along, the greener.
  var COLORS = { resolved: "#2ea121", applied: "#3370ff", submitted: "#f5a623", none: "#c9cdd4" };
  var units = data.units.slice().reverse(); // ECharts draws the first category at the bottom
  // One bar per unit: the chart grows with the units instead of squeezing them (set through the
  // CSSOM, which the CSP allows, not a style attribute).
  el.style.height = Math.max(320, 36 * units.length + 80) + "px";
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    textStyle: { fontFamily: "inherit" },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1, name: "件" },
    yAxis: { type: "category", data: units, axisLabel: { width: 140, overflow: "truncate" } },
    series: data.series.map(function (s) {
      return {
        type: "bar", stack: "items", name: s.name, barMaxWidth: 28,
        itemStyle: { color: COLORS[s.key] },
        data: s.data.slice().reverse(),
        label: { show: true, formatter: function (p) { return p.value ? p.value : ""; } }
      };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
