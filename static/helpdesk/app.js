// The agent workspace: tabs, the chat menu, the alert line, and live swaps that keep a person's input.
(function () {
  "use strict";

  function showTab(name) {
    document.querySelectorAll('[role="tab"]').forEach(function (tab) {
      var selected = tab.getAttribute("aria-controls") === name;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      document.getElementById(tab.getAttribute("aria-controls")).hidden = !selected;
    });
    try { sessionStorage.setItem("helpdesk-tab", name); } catch (e) { /* private mode */ }
  }

  function flash(text) {
    var line = document.getElementById("flash");
    if (!line) return;
    line.textContent = text;
    line.hidden = !text;
    clearTimeout(flash.timer);
    if (text) flash.timer = setTimeout(function () { line.hidden = true; }, 8000);
  }

  window.helpdesk = {
    // A transfer offered to this agent opens by itself, unless they are in the middle of typing.
    panelIsIdle: function () {
      var box = document.querySelector("#chat-panel textarea[name=body]");
      return !box || !box.value.trim();
    },
  };

  document.addEventListener("DOMContentLoaded", function () {
    var saved = null;
    try { saved = sessionStorage.getItem("helpdesk-tab"); } catch (e) { /* private mode */ }
    if (saved && document.getElementById(saved)) showTab(saved);
  });

  document.addEventListener("click", function (event) {
    var tab = event.target.closest('[role="tab"]');
    if (tab) return showTab(tab.getAttribute("aria-controls"));

    var toggle = event.target.closest("[data-menu-toggle]");
    document.querySelectorAll(".menu-items").forEach(function (items) {
      var mine = toggle && toggle.nextElementSibling === items;
      items.hidden = mine ? !items.hidden : true;
      items.previousElementSibling.setAttribute("aria-expanded", items.hidden ? "false" : "true");
    });

    var show = event.target.closest("[data-show]");
    if (show) {
      var form = document.querySelector(show.getAttribute("data-show"));
      form.hidden = false;
      var first = form.querySelector("select, input, textarea");
      if (first) first.focus();
    }
    var hide = event.target.closest("[data-hide]");
    if (hide) document.querySelector(hide.getAttribute("data-hide")).hidden = true;
  });

  // A refused action answers with a plain-text reason: show it.
  document.addEventListener("htmx:responseError", function (event) {
    flash(event.detail.xhr.responseText || event.detail.xhr.statusText);
  });
  document.addEventListener("htmx:sendError", function () {
    flash(document.documentElement.lang === "nl" ? "Geen verbinding." : document.documentElement.lang === "sv" ? "Ingen anslutning." : "No connection.");
  });
  document.addEventListener("htmx:beforeRequest", function () { flash(""); });

  // Opening a chat shows the Chats tab.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target.id === "chat-panel" || (event.detail.target && event.detail.target.id === "chat-panel")) {
      if (document.querySelector("#chat-panel[data-session-id]")) showTab("chats");
    }
  });

})();
