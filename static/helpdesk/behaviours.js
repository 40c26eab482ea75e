// Small behaviours that templates ask for with data-* attributes, for the workspace and the widget alike.
// They would otherwise be hx-on handlers or hx-trigger filters, which htmx runs through eval: the pages'
// Content-Security-Policy allows no eval and no inline script (helpdesk/settings.py).
(function () {
  "use strict";

  // After a request of their own: a file input is cleared for the next file; a form sent successfully
  // (the transfer form) is reset and hidden.
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.matches) return;
    if (elt.matches("[data-clear-when-sent]")) elt.value = "";
    if (elt.matches("form[data-close-when-sent]") && event.detail.successful) {
      elt.reset();
      elt.hidden = true;
    }
  });

  // A double-click on a row, or Enter on a focused one, opens its chat (hx-trigger="helpdesk:open"); not
  // when it lands on a control inside the row, such as a chat's checkbox or its "Mark as spam" button.
  function openRow(event) {
    var row = event.target.closest && event.target.closest("[data-opens]");
    if (row && !event.target.closest("input, button, select, a")) htmx.trigger(row, "helpdesk:open");
  }
  document.addEventListener("dblclick", openRow);
  document.addEventListener("keyup", function (event) {
    if (event.key === "Enter") openRow(event);
  });

  document.addEventListener("click", function (event) {
    // "Cancel" in an editor swapped into a container: empty the container.
    var emptier = event.target.closest("[data-empty]");
    if (emptier) {
      var container = document.querySelector(emptier.getAttribute("data-empty"));
      if (container) container.replaceChildren();
    }
    // "Change contact": show or hide the tools the button controls.
    var toggle = event.target.closest("[data-toggle-changing]");
    if (toggle) {
      var tools = document.getElementById(toggle.getAttribute("aria-controls"));
      if (tools) tools.classList.toggle("changing");
    }
  });
})();
