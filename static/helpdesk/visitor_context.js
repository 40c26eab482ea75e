// The visitor's local time in the chat panel's Details: the server renders it once, and it is kept
// current here, in the agent's language (static/helpdesk/dates.js), from the time zone the visitor's browser gave when the chat began.
(function () {
  "use strict";
  function tick() {
    document.querySelectorAll("time[data-visitor-time-zone]").forEach(function (time) {
      try {
        time.textContent = window.helpdeskDates.format(new Date(), {
          timeStyle: "short", timeZone: time.getAttribute("data-visitor-time-zone"),
        });
      } catch (e) { /* a time zone this browser does not know: the server's rendering stays */ }
    });
  }
  document.addEventListener("htmx:afterSettle", tick);
  setInterval(tick, 30000);
})();
