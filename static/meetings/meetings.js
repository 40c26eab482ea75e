// The meeting booker's behaviour, in the widget and the workspace (no inline script: the pages' CSP).
// - Requests from a calendar card carry the visitor's time zone, so the server shows the free times in it.
// - A pushed #meetings-refetch (meetings/services/booking.py) means someone's free times or meetings changed:
//   every meetings part on the page fetches itself again, except a card where the visitor is confirming a
//   time or has just booked one (what they typed must stay).
(function () {
  "use strict";

  function timeZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { return "UTC"; }
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var source = event.detail.elt;
    if (source && source.closest && source.closest("[data-visitor-time-zone]")) {
      event.detail.parameters.tz = timeZone();
    }
  });

  htmx.onLoad(function (content) {
    if (!content || !content.matches || !content.matches("[data-meetings-refetch]")) return;
    document.querySelectorAll("[data-meetings-refresh]").forEach(function (part) {
      if (!part.querySelector("[data-meeting-confirm]")) htmx.trigger(part, "meetings-refresh");
    });
  });
})();
