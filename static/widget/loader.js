// Put the chat button and the chat window on any web page:
//   <script src="https://helpdesk.example/static/widget/loader.js" data-channel="support" async></script>
//   data-label="..." names the chat button; by default it says "Chat" in the visitor's browser language.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var channel = script.getAttribute("data-channel") || "support";

  // "Chat" in the widget's languages, in the first of the browser's languages the widget speaks: the server
  // picks the chat window's language from the same list (Accept-Language), so button and window agree.
  var LABELS = { en: "Chat", nl: "Chat", sv: "Chatt" };
  function defaultLabel() {
    var wanted = (navigator.languages && navigator.languages.length) ? navigator.languages : [navigator.language || ""];
    for (var i = 0; i < wanted.length; i++) {
      var code = String(wanted[i]).toLowerCase().split("-")[0];
      if (LABELS.hasOwnProperty(code)) return LABELS[code];
    }
    return LABELS.en;
  }
  var label = script.getAttribute("data-label") || defaultLabel();
  var origin = new URL(script.src, window.location.href).origin;

  // The chat's token, kept here on the host's own site: a browser that blocks third-party storage
  // would otherwise forget the chat inside the frame on every reload. The fragment never reaches a server.
  var key = "helpdesk-chat-" + channel;
  function stored() { try { return localStorage.getItem(key); } catch (e) { return null; } }
  function store(token) { try { if (token) localStorage.setItem(key, token); else localStorage.removeItem(key); } catch (e) { /* blocked */ } }

  var frame = document.createElement("iframe");
  var token = stored();
  frame.src = origin + "/widget/" + encodeURIComponent(channel) + "/" + (token ? "#token=" + encodeURIComponent(token) : "");
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow || !event.data || event.data.helpdeskChat !== key) return;
    if (event.data.close) return show(false);  // the window's close button, or Escape in it
    if ("token" in event.data) store(event.data.token);
  });

  // Where the visitor is: the page's address and title go to the chat window (and nowhere else: the
  // message is addressed to the helpdesk's origin), which tells the agent. Told when the window loads and
  // whenever the visitor moves within the page (history.pushState in a single-page site, Back, a #link);
  // a full navigation loads the window anew. The title a site sets just after pushState is waited for.
  var told = "";
  var telling = null;
  function tellPage() {
    clearTimeout(telling);
    telling = null;
    var page = { url: window.location.href, title: document.title, referrer: document.referrer };
    if (!frame.contentWindow || page.url + "\n" + page.title === told) return;
    told = page.url + "\n" + page.title;
    frame.contentWindow.postMessage({ helpdeskChat: key, page: page }, origin);
  }
  function tellPageSoon() {
    clearTimeout(telling);
    telling = setTimeout(tellPage, 300);
  }
  frame.addEventListener("load", function () { told = ""; tellPage(); });
  window.addEventListener("popstate", tellPageSoon);
  window.addEventListener("hashchange", tellPageSoon);
  var titleElement = document.querySelector("head > title");
  if (titleElement && window.MutationObserver) {
    new MutationObserver(tellPageSoon).observe(titleElement, { childList: true, characterData: true, subtree: true });
  }
  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    if (typeof original !== "function") return;
    history[name] = function () {
      var result = original.apply(this, arguments);
      tellPageSoon();
      return result;
    };
  });
  frame.title = script.getAttribute("data-title") || label;
  frame.id = "helpdesk-chat-frame";
  frame.style.cssText = "position:fixed;right:20px;bottom:88px;width:360px;max-width:calc(100vw - 40px);height:520px;" +
    "max-height:calc(100vh - 120px);border:0;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);z-index:2147483646;display:none;background:#fff";

  var button = document.createElement("button");
  button.type = "button";
  button.id = "helpdesk-chat-button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", frame.id);
  button.style.cssText = "position:fixed;right:20px;bottom:20px;height:52px;min-width:52px;padding:0 20px;border:0;border-radius:26px;" +
    "background:#1b5fd6;color:#fff;font:600 16px system-ui,sans-serif;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483647";
  // Opening moves the focus into the chat window (the chat's frame puts it on its Message box or form);
  // closing, by this button, the window's own close button or Escape, puts it back on this button.
  // Focus given to the frame before its page had loaded stays with the frame element but does not reach
  // that page (the frame is another site, so another process): typing then went nowhere. Blurring first
  // makes focus() a real change that the loaded page receives.
  function focusInside() {
    if (document.activeElement === frame) frame.blur();
    frame.focus();
    frame.contentWindow.postMessage({ helpdeskChat: key, focus: true }, origin);
  }
  function show(open) {
    frame.style.display = open ? "block" : "none";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) focusInside(); else button.focus();
  }
  // Opened before the chat window had loaded, the message above went nowhere: send it once it has.
  frame.addEventListener("load", function () { if (frame.style.display !== "none") focusInside(); });
  button.addEventListener("click", function () { show(frame.style.display === "none"); });
  button.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && frame.style.display !== "none") show(false);
  });

  function mount() { document.body.appendChild(frame); document.body.appendChild(button); }

  // Only on the websites the channel lists (or the helpdesk's own pages): anywhere else the browser would
  // refuse to show the chat window (its frame-ancestors), so no button is offered either.
  var embedding = origin + "/widget/" + encodeURIComponent(channel) + "/embedding/";
  fetch(embedding, { credentials: "omit" })
    .then(function (response) { return response.ok ? response.json() : { origins: [] }; })
    .then(function (answer) {
      if (answer.origins.indexOf(window.location.origin) === -1) {
        if (window.console) console.warn("Helpdesk chat: " + window.location.origin + " is not one of this channel's websites.");
        return;
      }
      if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
    });
})();
