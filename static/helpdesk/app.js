// The agent workspace: tabs, the alert line, and live swaps that keep a person's input (the keys of the
// tabs and of the chat's Menu are in keyboard.js).
(function () {
  "use strict";

  function showTab(name) {
    document.querySelectorAll('[role="tab"]').forEach(function (tab) {
      var selected = tab.getAttribute("aria-controls") === name;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;  // one tab in the Tab order; the Arrow keys reach the others (keyboard.js)
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
    // A transfer offered to this agent opens by itself, unless they are in the middle of typing, or the
    // chat they had open before a reload is opening again.
    panelIsIdle: function () {
      var box = document.querySelector("#chat-panel textarea[name=body]");
      return !window.helpdesk.reopening && (!box || !box.value.trim());
    },
    reopening: false,
  };

  document.addEventListener("DOMContentLoaded", function () {
    var saved = null;
    try { saved = sessionStorage.getItem("helpdesk-tab"); } catch (e) { /* private mode */ }
    if (saved && document.getElementById(saved)) showTab(saved);
  });

  document.addEventListener("click", function (event) {
    var tab = event.target.closest('[role="tab"]');
    if (tab) return showTab(tab.getAttribute("aria-controls"));

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

  // A form the Menu opened (Transfer) stays open across live swaps, as the Menu does (keyboard.js): a chat
  // panel's socket re-sends it, closed, when it (re)connects, which can be just after the agent opened it.
  var reopenShown = [];
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (event.detail.shouldSwap === false) return;
    var target = event.detail.target;
    if (!target || !target.contains) return;
    document.querySelectorAll("[data-show]").forEach(function (button) {
      var shown = document.querySelector(button.getAttribute("data-show"));
      if (shown && shown.id && !shown.hidden && target.contains(shown)) reopenShown.push(shown.id);
    });
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    reopenShown.forEach(function (id) {
      var shown = document.getElementById(id);
      if (shown) shown.hidden = false;
    });
    reopenShown = [];
  });

  // A refused action answers with a plain-text reason: show it. Anything else (a server's error page)
  // and a lost connection get the page's own sentences (data-*-text on <body>), in the person's language.
  // Watched on the request itself, not through htmx:responseError: a live push may replace the element
  // that asked while the answer is on its way (the chat's socket re-sends the composer when it connects,
  // maybe mid-upload), and htmx fires its error events on that detached element, where they never reach
  // document.
  document.addEventListener("htmx:beforeRequest", function (event) {
    flash("");
    var xhr = event.detail.xhr;
    xhr.addEventListener("load", function () {
      if (xhr.status < 400) return;
      var plain = /^text\/plain/.test(xhr.getResponseHeader("Content-Type") || "");
      flash(plain && xhr.responseText ? xhr.responseText : document.body.getAttribute("data-error-text"));
    });
    xhr.addEventListener("error", function () { flash(document.body.getAttribute("data-offline-text")); });
  });

  // Opening a chat shows the Chats tab; a chat opened again after a reload leaves the tab the agent was on.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.reopened) return;
    if (event.target.id === "chat-panel" || (event.detail.target && event.detail.target.id === "chat-panel")) {
      if (document.querySelector("#chat-panel[data-session-id]")) showTab("chats");
    }
  });

  // An answer's HX-Trigger "helpdesk:insertText" ({into: box id, text}) puts text in a box for the agent to
  // send or edit, e.g. "Request #12" after Create request: after what they typed, never over it.
  document.addEventListener("helpdesk:insertText", function (event) {
    var box = document.getElementById(event.detail.into);
    if (!box) return;
    box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + " " + event.detail.text : event.detail.text;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  });

})();

// A reload keeps the chat that was open in the panel: its address is kept for this tab and agent, and opened
// again when the page loads, ahead of a pending offer (which stays highlighted in the sessions list). A
// chat the agent may no longer open is refused: it is forgotten without a word, and a pending offer opens
// instead, as it does when it arrives.
(function () {
  "use strict";
  var workspace = document.querySelector("main.workspace[data-agent-id]");
  if (!workspace) return;
  var KEY = "helpdesk-open-chat-" + workspace.getAttribute("data-agent-id");
  var reopen = null;
  try { reopen = sessionStorage.getItem(KEY); } catch (e) { /* private mode */ }
  window.helpdesk.reopening = !!reopen;

  function remember() {
    if (window.helpdesk.reopening) return;  // the page's empty panel is not what the agent had open
    var panel = document.getElementById("chat-panel");
    var url = panel && panel.getAttribute("data-panel-url");
    try {
      if (url) sessionStorage.setItem(KEY, url); else sessionStorage.removeItem(KEY);
    } catch (e) { /* private mode */ }
  }
  document.addEventListener("htmx:afterSettle", remember);
  document.addEventListener("htmx:oobAfterSwap", remember);

  // The opener a push puts on the page (hx-trigger="load") fetches the offered chat only while the panel
  // is idle; a trigger filter would say the same, but htmx runs filters through eval, which the CSP forbids.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.id === "panel-opener" && !window.helpdesk.panelIsIdle()) event.preventDefault();
  });

  function openOffer() {
    var opener = document.querySelector("#panel-opener[hx-get]");
    if (opener && window.helpdesk.panelIsIdle()) {
      htmx.ajax("GET", opener.getAttribute("hx-get"), { target: "#chat-panel", swap: "outerHTML" });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!reopen) return;
    fetch(reopen, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("refused");
        return response.text();
      })
      .then(function (html) {
        window.helpdesk.reopening = false;
        htmx.swap("#chat-panel", html, { swapStyle: "outerHTML" }, { eventInfo: { reopened: true } });
      })
      .catch(function () {
        window.helpdesk.reopening = false;
        remember();
        openOffer();
      });
  });
})();

// Unanswered-chat alerts (#alerts, pushed by the server whenever they change): "Dismiss" hides the chats
// listed at that moment for the rest of this visit; a chat that falls due later shows the pop-up again.
(function () {
  "use strict";
  var KEY = "helpdesk-dismissed-alerts";
  var dismissed = [];
  try { dismissed = JSON.parse(sessionStorage.getItem(KEY) || "[]"); } catch (e) { /* private mode */ }

  function apply() {
    var popup = document.querySelector("#alerts .alert-popup");
    if (!popup) return;
    var shown = 0;
    popup.querySelectorAll("[data-alert-key]").forEach(function (item) {
      item.hidden = dismissed.indexOf(item.getAttribute("data-alert-key")) !== -1;
      if (!item.hidden) shown += 1;
    });
    popup.hidden = shown === 0;
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-dismiss-alerts]")) return;
    document.querySelectorAll("#alerts [data-alert-key]").forEach(function (item) {
      dismissed.push(item.getAttribute("data-alert-key"));
    });
    dismissed = dismissed.slice(-200);
    try { sessionStorage.setItem(KEY, JSON.stringify(dismissed)); } catch (e) { /* private mode */ }
    apply();
  });
  document.addEventListener("DOMContentLoaded", apply);
  document.addEventListener("htmx:wsAfterMessage", apply);
})();

// The chat open in the panel has no unread lines: its socket marks each line read as it shows it, without
// re-sending the sessions list for every line, so a list pushed for a new line hides that chat's count.
(function () {
  "use strict";
  function hideOpenChatsCount() {
    var panel = document.getElementById("chat-panel");
    var open = panel && panel.getAttribute("data-session-id");
    document.querySelectorAll("#sessions-list .session").forEach(function (entry) {
      var count = entry.querySelector(".unread");
      if (count) count.hidden = entry.getAttribute("data-session-id") === open;
    });
  }
  document.addEventListener("htmx:oobAfterSwap", hideOpenChatsCount);
  document.addEventListener("htmx:afterSettle", hideOpenChatsCount);
})();
