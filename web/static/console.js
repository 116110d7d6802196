// Charts of the results pages: each element with data-chart="ID" gets a bar chart of the JSON in <script id=ID>.
// Numbers are in 万吨CO2当量 unless the JSON names its "unit"; the previous year (or "previous" series), when there
// is one, is a second series.
(function () {
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var data = JSON.parse(document.getElementById(el.dataset.chart).textContent);
    var series = [{ name: data.label, type: "bar", data: data.values }];
    if (data.previous) series.push({ name: data.previous_label, type: "bar", data: data.previous });
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      title: { text: data.title + "（" + (data.unit || "万吨CO2当量") + "）", left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 80, right: 20, top: 40, bottom: 70 },
      xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: data.names.length > 6 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: series
    });
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
