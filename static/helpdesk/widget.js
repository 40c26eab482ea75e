// The visitor widget. It runs in an iframe on another site, so it names its chat by a token, never a
// cookie, and resumes the same chat after a reload. The token is kept in this frame's localStorage and,
// since browsers that block third-party cookies also block that storage, handed to the host page's
// loader script too, which keeps it first-party and passes it back in the frame's URL fragment.
(function () {
  "use strict";

  var body = document.getElementById("widget-body");
  var key = body.getAttribute("data-storage-key");
  var embedded = window.parent !== window;

  function fromHostPage() {
    var match = /[#&]token=([^&]+)/.exec(window.location.hash);
    return match ? decodeURIComponent(match[1]) : null;
  }
  function stored() {
    try { return localStorage.getItem(key) || fromHostPage(); } catch (e) { return fromHostPage(); }
  }
  function store(token) {
    try { if (token) localStorage.setItem(key, token); else localStorage.removeItem(key); } catch (e) { /* blocked */ }
    if (embedded) window.parent.postMessage({ helpdeskChat: key, token: token || null }, "*");
    if (!token && window.location.hash) history.replaceState(null, "", window.location.pathname);
  }

  var token = stored();
  if (token) {
    htmx.ajax("GET", body.getAttribute("data-chat-url").replace("TOKEN", encodeURIComponent(token)),
              { target: "#widget-body", swap: "innerHTML" });
  }

  document.addEventListener("htmx:afterSettle", function () {
    var chat = document.getElementById("widget-chat");
    if (chat) store(chat.getAttribute("data-token"));
  });

  // A start form the server refused (400, text/html) comes back with its reason in it: show that form.
  // htmx leaves every 4xx unswapped by default; refusals of other requests are plain text (below).
  function isRefusedForm(xhr) {
    return xhr.status === 400 && /^text\/html/.test(xhr.getResponseHeader("Content-Type") || "");
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (isRefusedForm(event.detail.xhr)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A refusal's plain-text reason goes to the error line as it is. Anything else (a server's error page)
  // and a lost connection get the page's own sentences (data-*-text on <body>), in the visitor's language,
  // as in the workspace (app.js). Watched on the request itself, not through htmx:responseError: a live
  // push re-sends the composer when the chat's status changes, maybe while a file is uploading, and htmx
  // fires its error events on the replaced (detached) element, where they never reach document.
  // A throttled request (429) says when to try again: its sentence stays until then, however long that is.
  var hideError = null;
  function showError(text, seconds) {
    var line = document.getElementById("widget-error");
    line.textContent = text;
    line.hidden = false;
    clearTimeout(hideError);  // a new refusal gets its own time, not what is left of the previous one's
    hideError = setTimeout(function () { line.hidden = true; }, Math.max(8, seconds || 0) * 1000);
  }
  function showRefusal(xhr, verb) {
    if ((xhr.status === 404 || xhr.status === 410) && verb === "get") {
      store(null);  // The chat is gone, or its link has expired: start afresh.
      return window.location.reload();
    }
    if (isRefusedForm(xhr)) return;
    var plain = /^text\/plain/.test(xhr.getResponseHeader("Content-Type") || "");
    var retryAfter = xhr.status === 429 ? parseInt(xhr.getResponseHeader("Retry-After"), 10) : 0;
    showError(plain && xhr.responseText ? xhr.responseText : document.body.getAttribute("data-error-text"), retryAfter);
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var xhr = event.detail.xhr;
    var verb = event.detail.requestConfig.verb;
    xhr.addEventListener("load", function () { if (xhr.status >= 400) showRefusal(xhr, verb); });
    xhr.addEventListener("error", function () { showError(document.body.getAttribute("data-offline-text")); });
  });

  // The host page the visitor is on, as the loader on it tells this frame (only a page of one of the
  // channel's websites is listened to, data-host-origins): sent with the pre-chat form, with the browser's
  // language and time zone, and reported to the chat whenever it changes, for the agent to see.
  var hostOrigins = (body.getAttribute("data-host-origins") || "").split(" ");
  var hostPage = null;
  var reported = "";
  var sentWithStart = null;  // the page the pre-chat form carried: the new chat has it already
  function pageKey() { return hostPage.url + "\n" + hostPage.title; }
  function reportPage() {
    var chat = document.getElementById("widget-chat");
    if (!hostPage || !chat) return;
    var started = sentWithStart;
    sentWithStart = null;
    if (reported === chat.getAttribute("data-token") + "\n" + pageKey()) return;
    reported = chat.getAttribute("data-token") + "\n" + pageKey();
    if (started === pageKey()) return;
    var form = new FormData();
    form.append("url", hostPage.url);
    form.append("title", hostPage.title);
    var url = body.getAttribute("data-page-url").replace("TOKEN", encodeURIComponent(chat.getAttribute("data-token")));
    fetch(url, { method: "POST", body: form, credentials: "omit" }).catch(function () { reported = ""; });
  }
  window.addEventListener("message", function (event) {
    if (!embedded || event.source !== window.parent || hostOrigins.indexOf(event.origin) === -1) return;
    var data = event.data;
    if (!data || data.helpdeskChat !== key || !data.page || typeof data.page.url !== "string") return;
    hostPage = { url: data.page.url, title: String(data.page.title || ""), referrer: String(data.page.referrer || "") };
    reportPage();
  });
  document.addEventListener("htmx:afterSettle", reportPage);
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt.matches || !event.detail.elt.matches("#prechat-form")) return;
    var parameters = event.detail.parameters;
    var add = function (name, value) { if (value) parameters[name] = value; };
    try { add("time_zone", Intl.DateTimeFormat().resolvedOptions().timeZone); } catch (e) { /* an old browser */ }
    add("locale", navigator.language);
    if (hostPage) {
      sentWithStart = pageKey();
      add("page_url", hostPage.url);
      add("page_title", hostPage.title);
      add("referrer", hostPage.referrer);
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-new-chat]")) {
      store(null);
      window.location.reload();
    }
    if (event.target.closest("[data-close-widget]")) closeWindow();
  });

  // In a host page's frame the chat window has a close button, and Escape closes it too (unless a popup
  // such as the emoji picker took the key first): the loader hides the frame and puts the focus back on the
  // chat button. When the loader opens the frame, the focus moves in, to the Message box or the form.
  function closeWindow() {
    if (embedded) window.parent.postMessage({ helpdeskChat: key, close: true }, "*");
  }
  if (embedded) {
    document.querySelectorAll("[data-close-widget]").forEach(function (button) { button.hidden = false; });
    // On window, so it runs after the document's own listeners: a popup's Escape has called it off by then.
    window.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !event.defaultPrevented) closeWindow();
    });
    window.addEventListener("message", function (event) {
      if (event.source !== window.parent || !event.data || event.data.helpdeskChat !== key || !event.data.focus) return;
      if (window.helpdeskFocus) window.helpdeskFocus.next();
    });
  }
})();
