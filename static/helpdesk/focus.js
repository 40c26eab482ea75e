// Where the keyboard's focus goes when what held it is swapped out or hidden, and what a screen reader is
// told when a live push adds something; for the workspace and the widget alike.
//
// Focus never drops to the page's body: after an action that replaces a fragment (Start chat, End chat,
// the rating, Present / Away, taking a chat, Transfer, Cancel, Accept, Close window) it lands on the
// fragment's own next control (the same control in a fragment that came back alike, such as the status
// buttons) or, in a chat, on the next logical one: the Message box, else the transfer's buttons, else the
// chat's Menu, else its messages; in the widget, the Message box or the form that replaced it.
(function () {
  "use strict";

  var FOCUSABLE = 'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), select:not([disabled]), ' +
    'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
  // The next logical control, first found and shown wins. A status line is focused itself (tabindex -1),
  // so that what it says is read out at once.
  var NEXT_IN_CHAT = [
    "#chat-panel textarea[name=body]", "#chat-panel .transfer-bar button", "#chat-panel [data-menu-toggle]",
    "#chat-panel .transcript", "#chats .queue button",
  ];
  var NEXT_IN_WIDGET = [
    "#widget-message", "#widget-postchat [role=status]", "#widget-postchat input[type=radio]",
    "#widget-body [data-new-chat]", "#widget-body .widget-thanks", "#widget-body input:not([type=hidden])",
    "#widget-chat .transcript",
  ];
  // Fragments after which focus always goes to the next logical control: a chat opened in the panel, the
  // widget's whole body.
  var REPLACES_ALL = ["chat-panel", "widget-body"];

  function shown(element) { return !!element && element.isConnected && element.getClientRects().length > 0; }
  function focusables(root) { return Array.prototype.filter.call(root.querySelectorAll(FOCUSABLE), shown); }
  function nobodyHasFocus() { return !document.activeElement || document.activeElement === document.body; }

  function focusNextLogical() {
    var list = document.getElementById("widget-body") ? NEXT_IN_WIDGET : NEXT_IN_CHAT;
    for (var i = 0; i < list.length; i++) {
      var candidate = Array.prototype.find.call(document.querySelectorAll(list[i]), shown);
      if (!candidate) continue;
      if (!candidate.matches(FOCUSABLE) && !candidate.hasAttribute("tabindex")) candidate.tabIndex = -1;
      candidate.focus();
      return true;
    }
    return false;
  }

  // What held the focus when a swap began: the fragment's id and the control's place among its controls.
  var held = null;
  function remember(target) {
    var active = document.activeElement;
    if (!target || !target.id || nobodyHasFocus() || !target.contains(active)) return;
    var controls = focusables(target);
    held = { id: target.id, index: controls.indexOf(active), count: controls.length };
  }
  document.addEventListener("htmx:beforeSwap", function (event) { remember(event.detail.target); });
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (event.detail.shouldSwap !== false) remember(event.detail.target);
  });

  // After every swap or request, once the other listeners (live.js keeps a typed-in field's focus) are done.
  function restoreSoon() {
    setTimeout(function () {
      var was = held;
      held = null;
      if (!nobodyHasFocus()) return;
      var again = was && document.getElementById(was.id);
      if (again && REPLACES_ALL.indexOf(was.id) === -1) {
        var controls = focusables(again);
        if (controls.length === was.count && controls[was.index]) return controls[was.index].focus();
      }
      if (was || lastFocusedGone()) focusNextLogical();
    }, 0);
  }
  ["htmx:afterSettle", "htmx:oobAfterSwap", "htmx:afterRequest", "htmx:wsAfterMessage"].forEach(function (name) {
    document.addEventListener(name, restoreSoon);
  });
  // A control hidden without a swap: a form closed when sent (Transfer), by its Cancel, or the Menu itself.
  var lastFocused = null;
  document.addEventListener("focusin", function (event) { lastFocused = event.target; });
  function lastFocusedGone() { return !!lastFocused && !shown(lastFocused); }
  document.addEventListener("click", restoreSoon);
  document.addEventListener("focusout", function (event) { if (!event.relatedTarget) restoreSoon(); });

  // A chat the agent opened themselves (Get next in queue, a row of Incoming chat, Answer, Accept transfer):
  // straight to its Message box, wherever the focus was. Not a chat that opened by itself (an offer
  // arriving, the chat reopened after a reload): that must not take the focus from what the agent is doing.
  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail;
    var target = detail.target;
    var elt = detail.requestConfig && detail.requestConfig.elt;  // htmx.ajax (app.js opening an offer): body
    if (!target || target.id !== "chat-panel" || detail.reopened) return;
    if (!elt || elt === document.body || elt.id === "panel-opener") return;
    focusNextLogical();
  });

  window.helpdeskFocus = { next: focusNextLogical };

  // Live announcements: the text of each [data-announce] element (its attribute, or else its own text) that
  // a swap has just put on the page is read out by the page's #announcer, which stays in place. A text
  // already on the page before the swap is not read again, so a reconnect's resend says nothing.
  function announced() {
    var texts = {};
    document.querySelectorAll("[data-announce]").forEach(function (element) {
      var text = (element.getAttribute("data-announce") || element.textContent).replace(/\s+/g, " ").trim();
      if (text) texts[text] = true;
    });
    return texts;
  }
  var present = {};
  function announceNew() {
    var region = document.getElementById("announcer");
    var now = announced();
    var fresh = Object.keys(now).filter(function (text) { return !present[text]; });
    present = now;
    if (!region || !fresh.length) return;
    region.textContent = "";
    setTimeout(function () { region.textContent = fresh.join(" "); }, 50);
  }
  document.addEventListener("DOMContentLoaded", function () { present = announced(); });
  document.addEventListener("htmx:wsAfterMessage", announceNew);
  document.addEventListener("htmx:afterSettle", announceNew);
})();
