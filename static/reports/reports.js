// The Reports page: the browser's time zone for the filters, and the charts drawn from the page's JSON.
// No inline code anywhere (the page's CSP forbids it): the numbers come from <script type="application/json">.
(function () {
  "use strict";

  function browserTimeZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  // The report is computed in the browser's time zone: the first visit (no tz in the address yet) reloads
  // once with it when it differs from the server's default.
  function useBrowserTimeZone() {
    var field = document.querySelector("[data-report-tz]");
    var main = document.querySelector("main.reports");
    var zone = browserTimeZone();
    if (!field || !zone) return;
    if (!field.value) field.value = zone;
    var params = new URLSearchParams(window.location.search);
    if (!params.has("tz") && main && main.getAttribute("data-time-zone") !== zone) {
      params.set("tz", zone);
      window.location.replace(window.location.pathname + "?" + params.toString());
    }
  }

  function chart(id, config) {
    var canvas = document.getElementById(id);
    if (canvas && window.Chart) new window.Chart(canvas, config);
  }

  function drawCharts() {
    var source = document.getElementById("report-chart-data");
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var labels = data.labels;
    var days = data.days.map(function (day) {  // "2026-12-01" as the page's language writes a day
      return window.helpdeskDates.format(day, { weekday: "short", day: "numeric", month: "short" });
    });
    var options = { responsive: true, maintainAspectRatio: false, animation: false };
    chart("chart-chats", {
      type: "bar",
      data: { labels: days, datasets: [
        { label: labels.started, data: data.started },
        { label: labels.answered, data: data.answered },
      ] },
      options: options,
    });
    chart("chart-wait", {
      type: "line",
      data: { labels: days, datasets: [
        { label: labels.wait_p50, data: data.wait_p50, spanGaps: true },
        { label: labels.wait_p90, data: data.wait_p90, spanGaps: true },
      ] },
      options: options,
    });
    chart("chart-agents", {
      type: "bar",
      data: { labels: data.agents, datasets: [
        { label: labels.answered, data: data.agent_answered },
        { label: labels.first_response_p50, data: data.agent_first_response_p50 },
      ] },
      options: options,
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    useBrowserTimeZone();
    drawCharts();
  });
})();
