// Shared by the workspace and the widget: keep htmx websockets alive and text boxes friendly.
(function () {
  "use strict";

  // Daphne ends every socket after --websocket_timeout with code 1000 (and 1001 on restart), and so does
  // live/watchdog.py once Redis is back; the ws extension retries only 1006/1011/1012/1013. Reconnect here
  // too: the consumer resyncs on connect.
  document.addEventListener("htmx:wsClose", function (event) {
    var code = event.detail.event.code;
    if ((code === 1000 || code === 1001) && document.body.contains(event.target)) {
      setTimeout(function () { event.detail.socketWrapper.reconnect(); }, 500 + Math.random() * 1500);
    }
  });

  // Enter sends, Shift+Enter starts a new line.
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || !box.matches("textarea[data-enter-submits]")) return;
    event.preventDefault();
    if (box.value.trim() && box.form) box.form.requestSubmit();
  });

  // With DEBUG on (make run), django-htmx's script replaces the whole page with any 400/403/404 answer,
  // to show Django's error page. A refusal here is a plain-text line for the page's own alert line, and
  // the page must stay usable: keep such an answer from that handler (this listener, on window in the
  // capture phase, runs before it; htmx itself does not listen for the event).
  window.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && /^text\/plain/.test(xhr.getResponseHeader("Content-Type") || "")) event.stopPropagation();
  }, true);

  // A pushed fragment identical to what is on screen is not swapped. Every socket sends the whole
  // current state when it (re)connects, usually what the page already shows; swapping it anyway would
  // take the element from under a click or a caret. Listeners of oobBeforeSwap that come after this one
  // (this file loads first) skip a swap it has called off.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var detail = event.detail;
    var fragment = detail.fragment;
    if (!detail.target || !fragment || fragment.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) return;
    var incoming = fragment.firstElementChild;
    if (fragment.childElementCount === 1 && incoming.id && incoming.id === detail.target.id &&
        incoming.isEqualNode(detail.target)) {
      detail.shouldSwap = false;
    }
  });

  // A live swap must not wipe what the person is typing or has chosen: fields marked data-keep-value
  // keep their value, caret (where the next key or emoji goes) and focus across a swap of the element
  // around them.
  var kept = [];
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (event.detail.shouldSwap === false) return;
    var target = event.detail.target;
    if (!target || !target.querySelectorAll) return;
    var fields = Array.from(target.querySelectorAll("[data-keep-value]"));
    if (target.matches("[data-keep-value]")) fields.push(target);
    fields.forEach(function (field) {
      if (field.id) kept.push({
        id: field.id, value: field.value, focused: document.activeElement === field,
        start: field.selectionStart, end: field.selectionEnd,  // null or undefined where there is no caret
      });
    });
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    kept.forEach(function (entry) {
      var field = document.getElementById(entry.id);
      if (!field) return;
      if (field.tagName === "SELECT" && !field.querySelector('option[value="' + CSS.escape(entry.value) + '"]')) return;
      if (!field.value) {
        field.value = entry.value;
        if (entry.start != null) field.setSelectionRange(entry.start, entry.end);
      }
      if (entry.focused) field.focus();
    });
    kept = [];
  });

  // Likewise the chats a manager has ticked in Incoming chat (data-keep-checked): a visitor arriving
  // re-renders the list, and the ticks must survive it, for the chats still in it.
  var ticked = [];
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.shouldSwap === false || !target || !target.querySelectorAll) return;
    target.querySelectorAll("[data-keep-checked]:checked").forEach(function (box) {
      if (box.id) ticked.push(box.id);
    });
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    ticked.forEach(function (id) {
      var box = document.getElementById(id);
      if (box) box.checked = true;
    });
    ticked = [];
  });

  // A keyboard user's place in a live list survives its swap: the row of the same chat keeps the focus,
  // so Enter still answers the chat they were on when another visitor arrived.
  var focusedRow = null;
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var active = document.activeElement;
    var target = event.detail.target;
    if (event.detail.shouldSwap === false || !target || !active || !active.dataset.sessionId) return;
    if (target.contains(active)) focusedRow = {list: target.id, sessionId: active.dataset.sessionId};
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    if (!focusedRow) return;
    var list = document.getElementById(focusedRow.list);
    var row = list && list.querySelector('[data-session-id="' + CSS.escape(focusedRow.sessionId) + '"]');
    if (row) row.focus();
    focusedRow = null;
  });

  // A sent message leaves the text box once the server has it (refused, it stays to be fixed), but what
  // the person has typed after it while it was on its way stays. A live swap may have replaced the form
  // meanwhile (a chat's socket re-sends the composer when it connects); its box then holds the kept copy,
  // cleared the same way. Watched on the request itself: htmx reports the answer on the detached form
  // only, since the composer around it was replaced as well.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form[data-clears-on-send]")) return;
    var xhr = event.detail.xhr;
    var box = form.elements.body;
    var sent = box.value;
    xhr.addEventListener("load", function () {
      if (xhr.status >= 400) return;
      var current = document.getElementById(box.id);
      (current && current !== box ? [box, current] : [box]).forEach(function (field) {
        if (field.value.indexOf(sent) === 0) field.value = field.value.slice(sent.length).trimStart();
      });
    });
  });

  // Keep the newest line of a transcript in view.
  function scrollTranscripts() {
    document.querySelectorAll(".transcript").forEach(function (list) { list.scrollTop = list.scrollHeight; });
  }
  document.addEventListener("htmx:afterSettle", scrollTranscripts);
  document.addEventListener("htmx:wsAfterMessage", scrollTranscripts);

  // A picture grows its line when it has loaded, after the scroll above: follow it down while the reader
  // is at the newest line, not when they have scrolled up to read earlier ones.
  document.addEventListener("scroll", function (event) {
    var list = event.target;
    if (list.classList && list.classList.contains("transcript")) {
      list.atNewest = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    }
  }, true);
  document.addEventListener("load", function (event) {
    var list = event.target.tagName === "IMG" && event.target.closest(".transcript");
    if (list && list.atNewest !== false) list.scrollTop = list.scrollHeight;
  }, true);
})();

// Typing indicators. While a person types in a chat's "Message" box, the server is told at most every
// 2 s (the chat's indicator carries the URL); the other side's indicator, pushed over its websocket, is
// cleared 4 s after the last push, or at once when that side's message arrives.
(function () {
  "use strict";
  var REPORT_EVERY_MS = 2000;
  var SHOW_FOR_MS = 4000;
  var lastReport = {};
  var hideTimers = {};

  function csrfHeaders() {  // the workspace's body carries the CSRF header for htmx; the widget needs none
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}"); } catch (e) { return {}; }
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches("textarea[name=body]") || !box.value.trim()) return;
    var chat = box.closest("#chat-panel, #widget-chat");
    var indicator = chat && chat.querySelector("[data-typing-url]");
    if (!indicator) return;
    var url = indicator.getAttribute("data-typing-url");
    if (Date.now() - (lastReport[url] || 0) < REPORT_EVERY_MS) return;
    lastReport[url] = Date.now();
    fetch(url, { method: "POST", headers: csrfHeaders(), credentials: "same-origin" }).catch(function () {});
  });

  function clear(indicator) {
    indicator.textContent = "";
    indicator.removeAttribute("data-typist");
  }

  document.addEventListener("htmx:wsAfterMessage", function (event) {
    var pushed = document.createElement("template");
    pushed.innerHTML = event.detail.message;
    event.target.querySelectorAll(".typing[data-typist]").forEach(function (indicator) {
      if (pushed.content.querySelector(".message." + indicator.getAttribute("data-typist"))) return clear(indicator);
      if (indicator.typingTimed) return;  // each push is a new element; this one is already counting down
      indicator.typingTimed = true;
      clearTimeout(hideTimers[indicator.id]);
      hideTimers[indicator.id] = setTimeout(function () { clear(indicator); }, SHOW_FOR_MS);
    });
  });
})();
