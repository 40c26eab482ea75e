// The visitor widget. It runs in an iframe on another site, so it keeps its chat's token in this
// frame's localStorage (no cookies needed) and resumes the same chat after a reload.
(function () {
  "use strict";

  var body = document.getElementById("widget-body");
  var key = body.getAttribute("data-storage-key");

  function stored() { try { return localStorage.getItem(key); } catch (e) { return null; } }
  function store(token) { try { if (token) localStorage.setItem(key, token); else localStorage.removeItem(key); } catch (e) { /* blocked */ } }

  var token = stored();
  if (token) {
    htmx.ajax("GET", body.getAttribute("data-chat-url").replace("TOKEN", encodeURIComponent(token)),
              { target: "#widget-body", swap: "innerHTML" });
  }

  document.addEventListener("htmx:afterSettle", function () {
    var chat = document.getElementById("widget-chat");
    if (chat) store(chat.getAttribute("data-token"));
  });

  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status === 404 && event.detail.requestConfig.verb === "get") {
      store(null);  // The chat is gone: start afresh.
      return window.location.reload();
    }
    var line = document.getElementById("widget-error");
    line.textContent = event.detail.xhr.responseText;
    line.hidden = false;
    setTimeout(function () { line.hidden = true; }, 8000);
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-new-chat]")) {
      store(null);
      window.location.reload();
    }
  });
})();
