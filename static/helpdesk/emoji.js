// The "Emoji" button next to the Message box, for agents and visitors alike. The picker is the
// emoji-picker-element web component, vendored with its emoji data under static/vendor/, so it never
// asks a CDN; its module loads on the first click, which keeps the widget page light.
(function () {
  "use strict";

  var popup = null;     // the picker's dialog, at the end of <body> (the composer form may be swapped live)
  var loading = null;   // the promise of the picker, made once
  var openerId = null;  // the "Emoji" button that opened it (by id: a live swap may replace the element)
  var targetId = null;  // the text box it inserts into

  function textBoxOf(button) {
    var form = button.closest("form");
    return form && form.querySelector("textarea[name=body]");
  }

  function load(button) {
    if (!loading) {
      var i18n = button.getAttribute("data-emoji-i18n");
      loading = Promise.all([
        import(button.getAttribute("data-emoji-picker")),
        i18n ? import(i18n) : Promise.resolve(null),
      ]).then(function (modules) {
        var options = {
          locale: button.getAttribute("data-emoji-locale"),
          dataSource: button.getAttribute("data-emoji-data"),
        };
        if (modules[1]) options.i18n = modules[1].default;
        var picker = new modules[0].default(options);
        picker.addEventListener("emoji-click", function (event) { choose(event.detail.unicode); });
        popup = document.createElement("div");
        popup.className = "popup emoji-popup";
        popup.setAttribute("role", "dialog");
        popup.hidden = true;
        popup.appendChild(picker);
        document.body.appendChild(popup);
      });
      loading.catch(function () { loading = null; });  // a failed load may be retried with the next click
    }
    return loading;
  }

  // Fixed just above the button, kept inside the window (the widget's iframe is narrow).
  function place(anchor) {
    var rect = anchor.getBoundingClientRect();
    popup.style.left = Math.max(4, Math.min(rect.left, window.innerWidth - popup.offsetWidth - 4)) + "px";
    popup.style.bottom = Math.max(4, window.innerHeight - rect.top + 6) + "px";
  }

  function open(button) {
    close(false);
    openerId = button.id;
    targetId = textBoxOf(button).id;
    button.setAttribute("aria-expanded", "true");
    load(button).then(function () {
      var current = openerId === button.id && document.getElementById(openerId);
      if (!current) return;
      popup.setAttribute("aria-labelledby", current.id);
      popup.hidden = false;
      place(current);
      var search = popup.firstChild.shadowRoot && popup.firstChild.shadowRoot.querySelector("input");
      if (search) search.focus();
    });
  }

  function close(returnFocus) {
    var opener = openerId && document.getElementById(openerId);
    openerId = null;
    if (popup) popup.hidden = true;
    if (opener) {
      opener.setAttribute("aria-expanded", "false");
      if (returnFocus) opener.focus();
    }
  }

  function choose(emoji) {
    var box = document.getElementById(targetId);
    close(false);
    if (!box) return;
    box.focus();
    box.setRangeText(emoji, box.selectionStart, box.selectionEnd, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-emoji-picker]");
    if (button) return openerId === button.id ? close(true) : open(button);
    if (openerId && popup && !popup.contains(event.target) && document.body.contains(event.target)) close(false);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && openerId && popup && popup.contains(event.target)) {
      event.preventDefault();
      close(true);
    }
  });

  // A live swap may replace the composer (same ids, still open) or take it away (the chat ended): then
  // close the picker that belonged to it.
  document.addEventListener("htmx:oobAfterSwap", function () {
    var opener = openerId && document.getElementById(openerId);
    if (opener) opener.setAttribute("aria-expanded", "true");
    else if (openerId) close(false);
  });
})();
