// Attention cues for a Present agent: the tab's title counts the chats waiting and the unread messages,
// and a sound (the agent's "Sounds" setting) and, when they opted in, a desktop notification tell of a new
// incoming chat, a transfer offered to them and a new message in a chat that is not on screen.
//
// All of it is read from the fragments the workspace's socket swaps in (the badge, Incoming chat, the
// sessions list and its unread counts), the same ones a (re)connect re-sends: the title is always what
// the page shows, and a resync that changes nothing cues nothing. Only what was not on the page before
// (a row, an offer, a higher count) is news.
(function () {
  "use strict";
  var controls = document.querySelector("[data-attention]");
  var workspace = document.querySelector("main.workspace[data-agent-id]");
  if (!controls || !workspace) return;
  var agentId = workspace.getAttribute("data-agent-id");
  var baseTitle = document.title;

  function isPresent() {
    var present = document.querySelector("#presence-toggle .present");
    return !!present && present.getAttribute("aria-pressed") === "true";
  }
  function soundsOn() {
    var toggle = document.getElementById("sounds-toggle");
    return !!toggle && toggle.getAttribute("data-sounds") === "on";
  }
  function inBackground() {
    return document.visibilityState !== "visible" || !document.hasFocus();
  }
  function openChatId() {
    var panel = document.getElementById("chat-panel");
    return panel && panel.getAttribute("data-session-id");
  }

  // What the page shows now: waiting chats (the badge counts those beyond the list too), chats offered
  // to this agent, and each chat's unread count.
  function snapshot() {
    var state = { waiting: 0, incoming: {}, offered: {}, unread: {}, names: {} };
    var badge = document.getElementById("incoming-badge");
    state.waiting = badge ? parseInt(badge.textContent, 10) || 0 : 0;
    document.querySelectorAll("#incoming-list tr[data-session-id]").forEach(function (row) {
      state.incoming[row.getAttribute("data-session-id")] = row;
    });
    document.querySelectorAll("#sessions-list .session[data-session-id]").forEach(function (entry) {
      var id = entry.getAttribute("data-session-id");
      var name = entry.querySelector(".name");
      var count = entry.querySelector(".unread");
      state.names[id] = name ? name.textContent.trim() : "";
      state.unread[id] = count ? parseInt(count.textContent, 10) || 0 : 0;
      if (entry.classList.contains("offered")) state.offered[id] = true;
    });
    return state;
  }

  // The open chat's lines are on screen while the page is in front. Its count (the panel marks lines read
  // a little later) counts only what arrived while the page was in the background.
  var seenInOpenChat = 0;
  function unreadNotOnScreen(state, id) {
    if (id !== openChatId()) return state.unread[id] || 0;
    return inBackground() ? Math.max(0, (state.unread[id] || 0) - seenInOpenChat) : 0;
  }

  function updateTitle(state) {
    var count = state.waiting;
    Object.keys(state.unread).forEach(function (id) { count += unreadNotOnScreen(state, id); });
    document.title = count ? "(" + count + ") " + baseTitle : baseTitle;
  }

  // Browsers refuse play() before a person has used the page. By the time a chat arrives the agent has
  // clicked in the workspace (Present, a tab), and that first click or key also plays the sound once,
  // muted, which is what some browsers ask before they let a page play it later unprompted. A refused
  // play is dropped: a late chime would announce nothing.
  var sound = new Audio(controls.getAttribute("data-sound-url"));
  sound.preload = "auto";
  function unlock() {
    document.removeEventListener("pointerdown", unlock, true);
    document.removeEventListener("keydown", unlock, true);
    sound.muted = true;
    var played = sound.play();
    var done = function () { sound.pause(); sound.currentTime = 0; sound.muted = false; };
    if (played && played.then) played.then(done, done); else done();
  }
  document.addEventListener("pointerdown", unlock, true);
  document.addEventListener("keydown", unlock, true);
  function chime() {
    if (!soundsOn()) return;
    sound.muted = false;
    sound.currentTime = 0;
    var played = sound.play();
    if (played && played.catch) played.catch(function () { /* not allowed yet: see unlock */ });
  }

  // Desktop notifications: asked for only when the agent presses the switch, remembered per agent in
  // this browser, shown only while the workspace is in the background, and a click opens the chat.
  var NOTIFY_KEY = "helpdesk-desktop-notifications-" + agentId;
  var toggle = document.getElementById("notifications-toggle");
  function supported() { return "Notification" in window; }
  function optedIn() {
    try { return localStorage.getItem(NOTIFY_KEY) === "on"; } catch (e) { return false; }
  }
  function setOptedIn(on) {
    try { localStorage.setItem(NOTIFY_KEY, on ? "on" : "off"); } catch (e) { /* private mode */ }
    showToggle();
  }
  function notificationsOn() { return supported() && optedIn() && Notification.permission === "granted"; }
  function showToggle() {
    if (!toggle) return;
    toggle.hidden = !supported();
    toggle.setAttribute("aria-pressed", notificationsOn() ? "true" : "false");
  }
  function tellBlocked() {
    var line = document.getElementById("flash");
    if (!line) return;
    line.textContent = controls.getAttribute("data-blocked-text");
    line.hidden = false;
  }
  if (toggle) {
    toggle.addEventListener("click", function () {
      if (notificationsOn()) return setOptedIn(false);
      if (Notification.permission === "granted") return setOptedIn(true);
      if (Notification.permission === "denied") return tellBlocked();
      Notification.requestPermission().then(function (permission) {
        if (permission === "granted") setOptedIn(true); else if (permission === "denied") tellBlocked(); else showToggle();
      });
    });
  }
  showToggle();

  function notify(title, body, tag, open) {
    if (!notificationsOn() || !inBackground()) return;
    var notification = new Notification(title, { body: body, tag: tag, lang: document.documentElement.lang });
    notification.onclick = function () {
      window.focus();
      open();
      notification.close();
    };
  }
  function openChat(id) {
    return function () {
      var link = document.querySelector('#sessions-list .session[data-session-id="' + CSS.escape(id) + '"] a[hx-get]');
      if (link) htmx.ajax("GET", link.getAttribute("hx-get"), { target: "#chat-panel", swap: "outerHTML" });
    };
  }
  function showIncoming(id) {
    return function () {
      var tab = document.getElementById("tab-dashboard");
      if (tab) tab.click();
      var row = document.querySelector('#incoming-list tr[data-session-id="' + CSS.escape(id) + '"]');
      if (row) row.focus();
    };
  }

  function news(before, after) {
    var cues = [];
    Object.keys(after.incoming).forEach(function (id) {
      if (before.incoming[id]) return;
      var name = after.incoming[id].querySelector("td:not(:has(input))");  // a manager's rows start with a checkbox
      cues.push({ title: controls.getAttribute("data-new-chat-text"), body: name ? name.textContent.trim() : "",
                  tag: "incoming-" + id, open: showIncoming(id) });
    });
    if (!cues.length && after.waiting > before.waiting) {
      cues.push({ title: controls.getAttribute("data-new-chat-text"), body: "", tag: "incoming", open: showIncoming("") });
    }
    Object.keys(after.offered).forEach(function (id) {
      if (!before.offered[id]) {
        cues.push({ title: controls.getAttribute("data-offer-text"), body: after.names[id], tag: "offer-" + id, open: openChat(id) });
      }
    });
    // A chat new to the list (offered, answered) is news of its own, not a new line in it.
    Object.keys(after.unread).forEach(function (id) {
      if (!(id in before.unread) || after.offered[id] && !before.offered[id]) return;
      if (unreadNotOnScreen(after, id) > unreadNotOnScreen(before, id) && after.unread[id] > before.unread[id]) {
        cues.push({ title: controls.getAttribute("data-message-text"), body: after.names[id], tag: "message-" + id, open: openChat(id) });
      }
    });
    return cues;
  }

  var shown = snapshot();
  function refresh() {
    var now = snapshot();
    var cues = news(shown, now);
    shown = now;
    updateTitle(now);
    if (!cues.length || !isPresent()) return;
    chime();
    cues.forEach(function (cue) { notify(cue.title, cue.body, cue.tag, cue.open); });
  }
  function backgroundChanged() {
    var open = openChatId();
    if (!inBackground()) seenInOpenChat = 0;
    else if (open) seenInOpenChat = shown.unread[open] || 0;
    updateTitle(shown);
  }
  // A chat opened or closed in the panel changes what is on screen: count from what it shows now.
  var panelShows = openChatId();
  document.addEventListener("htmx:afterSettle", function () {
    var open = openChatId();
    if (open !== panelShows) seenInOpenChat = open ? (snapshot().unread[open] || 0) : 0;
    panelShows = open;
    refresh();
  });
  document.addEventListener("htmx:wsAfterMessage", refresh);
  document.addEventListener("visibilitychange", backgroundChanged);
  window.addEventListener("focus", backgroundChanged);
  window.addEventListener("blur", backgroundChanged);
  updateTitle(shown);
})();
