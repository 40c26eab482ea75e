// Shared by the workspace and the widget: keep htmx websockets alive and text boxes friendly.
(function () {
  "use strict";

  // Daphne ends every socket after --websocket_timeout with code 1000 (and 1001 on restart); the ws
  // extension retries only 1006/1011/1012/1013. Reconnect here too: the consumer resyncs on connect.
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

  // A live swap must not wipe what the person is typing or has chosen: fields marked data-keep-value
  // keep their value (and focus) across a swap of the element around them.
  var kept = [];
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.querySelectorAll) return;
    var fields = Array.from(target.querySelectorAll("[data-keep-value]"));
    if (target.matches("[data-keep-value]")) fields.push(target);
    fields.forEach(function (field) {
      if (field.id) kept.push({ id: field.id, value: field.value, focused: document.activeElement === field });
    });
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    kept.forEach(function (entry) {
      var field = document.getElementById(entry.id);
      if (!field) return;
      if (field.tagName === "SELECT" && !field.querySelector('option[value="' + CSS.escape(entry.value) + '"]')) return;
      if (!field.value) field.value = entry.value;
      if (entry.focused) field.focus();
    });
    kept = [];
  });

  // Keep the newest line of a transcript in view.
  function scrollTranscripts() {
    document.querySelectorAll(".transcript").forEach(function (list) { list.scrollTop = list.scrollHeight; });
  }
  document.addEventListener("htmx:afterSettle", scrollTranscripts);
  document.addEventListener("htmx:wsAfterMessage", scrollTranscripts);
})();
