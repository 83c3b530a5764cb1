// The charts of the statistics page (统计分析). The data comes from the page's json_script
// element "stat-data" (the CSP allows no inline script); ECharts is the vendored copy.
(function () {
  "use strict";
  // A report file being written in the background: poll its status until it is done or failed.
  var job = document.getElementById("report-job");
  if (job) {
    var show = function (id, visible) { document.getElementById(id).hidden = !visible; };
    var poll = function () {
      fetch(job.dataset.statusUrl, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (status) {
          document.getElementById("report-job-label").textContent = status.label;
          document.getElementById("report-job-progress").value = status.progress;
          if (status.download) {
            var link = document.getElementById("report-job-download");
            link.href = status.download;
            link.textContent = "下载 " + status.filename;
            show("report-job-ready", true);
            show("report-job-wait", false);
          } else if (status.error) {
            document.getElementById("report-job-error").textContent = status.error;
            show("report-job-error", true);
            show("report-job-wait", false);
          } else {
            window.setTimeout(poll, 1500);
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    if (job.dataset.status === "queued" || job.dataset.status === "running") { poll(); }
    return;
  }
  var source = document.getElementById("stat-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var TOP = 10; // the bar charts show the largest rows; the tables of the downloads have them all
  var COLORS = ["#a61b29", "#3370ff", "#f5a623", "#2ea121", "#7f3bf5", "#14c0ff", "#ff7d00", "#646a73"];
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    option.color = COLORS;
    option.textStyle = { fontFamily: "inherit" };
    chart.setOption(option);
    charts.push(chart);
  }

  function empty(id) {
    var el = document.getElementById(id);
    if (el) { el.classList.add("stat-chart-empty"); el.textContent = "本期没有数据"; }
  }

  function bars(id, rows) {
    var shown = rows.slice(0, TOP).reverse();
    if (!shown.length) { empty(id); return; }
    draw(id, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: shown.map(function (r) { return r.name; }),
               axisLabel: { width: 140, overflow: "truncate" } },
      series: [{ type: "bar", name: "件次", barMaxWidth: 28, data: shown.map(function (r) { return r.value; }),
                 label: { show: true, position: "right" } }]
    });
  }

  function pie(id, rows) {
    if (!rows.length) { empty(id); return; }
    draw(id, {
      tooltip: { trigger: "item", formatter: "{b}：{c}件次（{d}%）" },
      legend: { bottom: 0, type: "scroll" },
      series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data: rows,
                 label: { formatter: "{b}\n{d}%" } }]
    });
  }

  var trend = data.trend;
  var series = [{ type: "line", name: trend.currentName, data: trend.current, smooth: false, symbolSize: 6 }];
  if (trend.previous) {
    series.push({ type: "line", name: trend.previousName, data: trend.previous,
                  lineStyle: { type: "dashed" }, symbolSize: 6 });
  }
  draw("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: trend.labels },
    yAxis: { type: "value", minInterval: 1, name: "件次" },
    series: series
  });
  bars("chart-categories", data.categories);
  pie("chart-channels", data.channels);
  bars("chart-regions", data.regions);
  bars("chart-units", data.units);

  // 快捷期间 and the two dates: choosing one clears the other, so the form says one period.
  var form = document.getElementById("stat-filters");
  if (form) {
    var quick = form.querySelector("[name=period]");
    var dates = form.querySelectorAll("[name=start], [name=end]");
    dates.forEach(function (input) {
      input.addEventListener("change", function () { if (quick) { quick.value = ""; } });
    });
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
