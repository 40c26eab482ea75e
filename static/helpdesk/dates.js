// Dates and times that scripts write on a page, in the page's language (<html lang>), as Django writes the
// page's own (helpdesk/formats/): one helper, so a script never picks a format of its own.
//   helpdeskDates.format("2026-12-01", { weekday: "short", day: "numeric", month: "short" })  -> "Tue, Dec 1"
// A date without a time ("YYYY-MM-DD", a calendar day) is that day wherever the browser is.
(function () {
  "use strict";
  var DAY = /^\d{4}-\d{2}-\d{2}$/;

  function format(value, options) {
    var day = typeof value === "string" && DAY.test(value);
    var when = day ? new Date(value + "T00:00:00Z") : new Date(value);
    var settings = Object.assign({}, options, day ? { timeZone: "UTC" } : {});
    return new Intl.DateTimeFormat(document.documentElement.lang || undefined, settings).format(when);
  }

  window.helpdeskDates = { format: format };
})();
