// Charts of the staff site: every element with data-chart="ID" is drawn with ECharts from the
// spec that Django's json_script put in <script type="application/json" id="ID"> (see
// qiaolian/core/charts.py). No inline script, so a strict Content-Security-Policy holds.
// A data point with a "url" is a link: clicking its bar, slice or country opens the records.
(function () {
  "use strict";
  if (window.qiaolianCharts) { return; }

  var maps = {};  // map name -> Promise of registration

  function loadMap(name, url) {
    if (!maps[name]) {
      maps[name] = fetch(url, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error("map " + r.status); } return r.json(); })
        .then(function (geo) { window.echarts.registerMap(name, geo); });
    }
    return maps[name];
  }

  function fontFamily(el) {
    return window.getComputedStyle(el).fontFamily || "sans-serif";
  }

  function point(value, url, extra) {
    var d = { value: value, url: url || null };
    if (extra) { for (var k in extra) { d[k] = extra[k]; } }
    return d;
  }

  function anyUrl(series) {
    return (series.urls || []).some(function (u) { return !!u; });
  }

  function fmt(unit) {
    return function (v) {
      if (v === null || v === undefined || v === "-") { return "—"; }
      var n = typeof v === "number" ? v.toLocaleString() : v;
      return unit ? n + " " + unit : n;
    };
  }

  function cartesian(spec) {
    var horizontal = !!spec.horizontal;
    var second = spec.series.some(function (s) { return s.axis === 1; });
    var names = spec.axis_names || [];
    var category = {
      type: "category", data: spec.categories,
      axisLabel: { interval: 0, hideOverlap: true }, axisTick: { alignWithLabel: true }
    };
    var values = [{ type: "value", name: names[0] || spec.unit || "", minInterval: 1 }];
    if (second) { values.push({ type: "value", name: names[1] || "", minInterval: 1, splitLine: { show: false } }); }
    var series = spec.series.map(function (s) {
      var out = {
        type: s.type === "line" ? "line" : "bar",
        name: s.name,
        data: s.values.map(function (v, i) { return point(v, s.urls[i]); }),
        itemStyle: { color: s.color },
        cursor: anyUrl(s) ? "pointer" : "default",
        emphasis: { focus: "series" },
        tooltip: { valueFormatter: fmt(s.unit || spec.unit) }
      };
      if (s.type !== "line") { out.barMaxWidth = 56; }
      if (s.stack) { out.stack = "total"; }
      if (s.type === "line") { out.smooth = false; out.symbolSize = 8; out.lineStyle = { color: s.color, width: 2 }; }
      if (s.axis === 1) { out[horizontal ? "xAxisIndex" : "yAxisIndex"] = 1; }
      return out;
    });
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { show: spec.series.length > 1, type: "scroll", top: spec.title ? 28 : 0 },
      grid: { left: 8, right: 16, bottom: 8, top: (spec.title ? 36 : 8) + (spec.series.length > 1 ? 32 : 0) + 16, containLabel: true },
      xAxis: horizontal ? values : category,
      yAxis: horizontal ? category : values,
      series: series
    };
  }

  function pie(spec) {
    var s = spec.series[0];
    return {
      tooltip: { trigger: "item", confine: true, valueFormatter: fmt(spec.unit) },
      legend: { type: "scroll", orient: "vertical", left: 0, top: spec.title ? 32 : 0 },
      series: [{
        type: "pie", name: s.name,
        radius: spec.donut ? ["42%", "70%"] : "70%", center: ["60%", "55%"],
        cursor: anyUrl(s) ? "pointer" : "default",
        label: { formatter: "{b}: {c}" },
        data: spec.categories.map(function (label, i) {
          return point(s.values[i], s.urls[i], { name: label, itemStyle: { color: (spec.colors || [])[i] || s.color } });
        })
      }]
    };
  }

  function worldMap(spec) {
    var s = spec.series[0];
    var names = {};
    var max = 0;
    spec.codes.forEach(function (code, i) { names[code] = spec.categories[i]; max = Math.max(max, s.values[i] || 0); });
    var unit = fmt(spec.unit);
    return {
      tooltip: {
        trigger: "item", confine: true,
        formatter: function (p) {
          var name = names[p.name] || p.name;
          var v = p.data ? p.data.value : null;
          return v === null || v === undefined || isNaN(v) ? name : name + "：" + unit(v);
        }
      },
      visualMap: {
        type: "continuous", min: 0, max: max || 1, left: 8, bottom: 8, calculable: false,
        inRange: { color: spec.range }, text: [String(max), "0"]
      },
      series: [{
        type: "map", map: spec.map || "world", name: s.name, roam: true,
        cursor: anyUrl(s) ? "pointer" : "default",
        top: spec.title ? 36 : 8, bottom: 8,
        itemStyle: { areaColor: "#f1f3f5", borderColor: "#adb5bd", borderWidth: 0.4 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#f5c242" } },
        select: { disabled: true },
        data: spec.codes.map(function (code, i) { return point(s.values[i], s.urls[i], { name: code }); })
      }]
    };
  }

  function option(spec, el) {
    var opt = spec.kind === "pie" ? pie(spec) : spec.kind === "map" ? worldMap(spec) : cartesian(spec);
    opt.textStyle = { fontFamily: fontFamily(el) };
    opt.animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (spec.title) { opt.title = { text: spec.title, left: 0, textStyle: { fontSize: 14, fontWeight: 600 } }; }
    return opt;
  }

  function draw(el) {
    if (el.getAttribute("data-chart-state")) { return; }
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || !window.echarts) { return; }
    var spec = JSON.parse(source.textContent);
    el.style.height = el.getAttribute("data-chart-height") || "320px";
    el.style.width = "100%";
    if (!spec.categories || !spec.categories.length) {
      el.setAttribute("data-chart-state", "empty");
      el.style.height = "auto";
      el.textContent = el.getAttribute("data-chart-empty") || "";
      el.className += " text-secondary py-4 text-center";
      return;
    }
    el.setAttribute("data-chart-state", "loading");
    var ready = spec.kind === "map" ? loadMap(spec.map || "world", el.getAttribute("data-chart-map")) : Promise.resolve();
    ready.then(function () {
      var chart = window.echarts.init(el, null, { renderer: spec.renderer || "svg", locale: document.documentElement.lang && document.documentElement.lang.indexOf("zh") === 0 ? "ZH" : "EN" });
      chart.setOption(option(spec, el));
      chart.on("click", function (p) {
        var url = p.data && p.data.url;
        if (url) { window.location.assign(url); }
      });
      if (window.ResizeObserver) {
        new ResizeObserver(function () { chart.resize(); }).observe(el);
      } else {
        window.addEventListener("resize", function () { chart.resize(); });
      }
      el.setAttribute("data-chart-state", "ready");
    }).catch(function (err) {
      el.setAttribute("data-chart-state", "error");
      if (window.console) { window.console.error(err); }
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  // For printing, the data tables show in full beside the charts.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.ql-chart-data").forEach(function (d) { d.open = true; });
  });

  window.qiaolianCharts = { draw: draw, drawAll: drawAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  } else {
    drawAll();
  }
  // Content swapped in by htmx may carry charts too.
  document.addEventListener("htmx:afterSettle", function (e) { drawAll(e.target); });
})();
