// 碳普惠 daily chart: behaviours (bars, left axis) and points issued (line, right axis) per day, 北京时间.
(function () {
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-puhui-chart]").forEach(function (el) {
    var data = JSON.parse(document.getElementById(el.dataset.puhuiChart).textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      title: { text: "每日行为次数与发放积分", left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 70, right: 70, top: 40, bottom: 70 },
      xAxis: { type: "category", data: data.dates },
      yAxis: [{ type: "value", name: "次" }, { type: "value", name: "分" }],
      series: [{ name: "行为（次）", type: "bar", data: data.behaviours },
               { name: "积分（分）", type: "line", yAxisIndex: 1, data: data.points }]
    });
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
