// Predefined text in the agent's composer: the "Insert text" picker, and "/shortcut" in the Message box,
// which Tab or Enter (or a click in the suggestion list) replaces with the text.
//
// The picker lives at the end of <body>, not in the composer: the composer is a <form>, and the picker
// holds a form of its own (New quick reply), which HTML cannot nest.
(function () {
  "use strict";

  var SUGGESTIONS_SHOWN = 8;
  var picker = null;      // the "Insert text" dialog, made on first use
  var openerId = null;    // the button that opened it (by id: a live swap may replace the element)
  var targetId = null;    // the text box the picker inserts into
  var shortcuts = null;   // { url, texts, promise } for "/shortcut"
  var suggesting = null;  // { box, list, start, end, found, active } while the suggestion list shows

  function textBoxOf(button) {
    var form = button.closest("form");
    return form && form.querySelector("textarea[name=body]");
  }

  function toolsOf(box) {
    return box.form && box.form.querySelector("[data-predefined-shortcuts]");
  }

  // Replace from..to (the selection by default) with text, leave the caret after it, and tell listeners.
  function insert(box, text, from, to) {
    box.focus();
    box.setRangeText(text, from === undefined ? box.selectionStart : from, to === undefined ? box.selectionEnd : to, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // Fixed just above the anchor (the composer is at the bottom of the screen), kept inside the window.
  function place(popup, anchor) {
    var rect = anchor.getBoundingClientRect();
    popup.style.left = Math.max(8, Math.min(rect.left, window.innerWidth - popup.offsetWidth - 8)) + "px";
    popup.style.bottom = Math.max(8, window.innerHeight - rect.top + 6) + "px";
  }

  // --- The "Insert text" picker ----------------------------------------------------------------------

  function openPicker(button) {
    if (!picker) {
      picker = document.createElement("div");
      picker.id = "predefined-picker";
      picker.className = "popup predefined-picker";
      picker.setAttribute("role", "dialog");
      picker.hidden = true;
      document.body.appendChild(picker);
    }
    closePicker(false);
    openerId = button.id;
    targetId = textBoxOf(button).id;
    picker.setAttribute("aria-labelledby", button.id);
    button.setAttribute("aria-expanded", "true");
    refreshShortcuts(button.getAttribute("data-predefined-shortcuts"));
    htmx.ajax("GET", button.getAttribute("data-predefined-picker"), { target: picker, swap: "innerHTML" }).then(function () {
      var current = openerId === button.id && document.getElementById(openerId);
      if (!current) return;
      picker.hidden = false;
      place(picker, current);
      picker.querySelector("input[type=search]").focus();
    });
  }

  function closePicker(returnFocus) {
    var opener = openerId && document.getElementById(openerId);
    openerId = null;
    if (picker) {
      picker.hidden = true;
      picker.replaceChildren();
    }
    if (opener) {
      opener.setAttribute("aria-expanded", "false");
      if (returnFocus) opener.focus();
    }
  }

  function choose(text) {
    var box = document.getElementById(targetId);
    closePicker(false);
    if (box) insert(box, text);
  }

  // --- "/shortcut" in the text box -------------------------------------------------------------------

  // Read on the first focus of a text box and after every change, never per key press.
  function refreshShortcuts(url) {
    var entry = { url: url, texts: shortcuts ? shortcuts.texts : null };
    entry.promise = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { texts: entry.texts || [] }; })
      .then(function (data) { entry.texts = data.texts; return entry.texts; })
      .catch(function () { return entry.texts || []; })
      .then(function (texts) { entry.ready = true; return texts; });
    shortcuts = entry;
    return entry.promise;
  }

  function loadShortcuts(url) {
    return shortcuts && shortcuts.url === url ? shortcuts.promise : refreshShortcuts(url);
  }

  // "/wor" right before the caret, at the start of the text or after a space.
  function typedShortcut(box) {
    if (box.selectionStart !== box.selectionEnd) return null;
    var before = box.value.slice(0, box.selectionStart);
    var match = /(^|\s)\/([\w-]*)$/.exec(before);
    if (!match) return null;
    return { start: box.selectionStart - match[2].length - 1, end: box.selectionStart, word: match[2].toLowerCase() };
  }

  // Shortcuts that start with the word, an exact one first; the server lists the chat's language first,
  // so of two texts with one shortcut the one the visitor reads wins.
  function matching(texts, word) {
    var seen = {};
    var found = texts.filter(function (text) {
      var key = text.kind + "/" + text.shortcut;
      if (text.shortcut.indexOf(word) !== 0 || seen[key]) return false;
      seen[key] = true;
      return true;
    });
    found.sort(function (a, b) { return (b.shortcut === word) - (a.shortcut === word); });
    return found.slice(0, SUGGESTIONS_SHOWN);
  }

  function hideSuggestions() {
    if (!suggesting) return;
    suggesting.list.hidden = true;
    suggesting.list.replaceChildren();
    suggesting.box.removeAttribute("aria-activedescendant");
    suggesting.box.setAttribute("aria-expanded", "false");
    suggesting = null;
  }

  function markActive() {
    Array.from(suggesting.list.children).forEach(function (option, index) {
      option.setAttribute("aria-selected", index === suggesting.active ? "true" : "false");
    });
    suggesting.box.setAttribute("aria-activedescendant", suggesting.list.children[suggesting.active].id);
  }

  function showSuggestions(box, typed, found) {
    var list = box.form.querySelector(".shortcut-suggestions");
    list.replaceChildren.apply(list, found.map(function (text, index) {
      var option = document.createElement("li");
      option.id = list.id + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("data-index", index);
      var shortcut = document.createElement("strong");
      shortcut.textContent = "/" + text.shortcut;
      var title = document.createElement("span");
      title.textContent = text.title;
      option.append(shortcut, " ", title);
      return option;
    }));
    suggesting = { box: box, list: list, start: typed.start, end: typed.end, found: found, active: 0 };
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", list.id);
    box.setAttribute("aria-expanded", "true");
    list.hidden = false;
    place(list, box);
    markActive();
  }

  function suggestFor(box) {
    var tools = toolsOf(box);
    if (!tools) return;
    loadShortcuts(tools.getAttribute("data-predefined-shortcuts")).then(function (texts) {
      box = document.getElementById(box.id) || box;  // by id: a live swap may have replaced it meanwhile
      var typed = document.activeElement === box ? typedShortcut(box) : null;
      var found = typed ? matching(texts, typed.word) : [];
      if (found.length) showSuggestions(box, typed, found);
      else hideSuggestions();
    });
  }

  function expand(index) {
    var chosen = suggesting.found[index];
    var box = suggesting.box, start = suggesting.start, end = suggesting.end;
    hideSuggestions();
    insert(box, chosen.text, start, end);
  }

  // --- Events --------------------------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-predefined-picker]");
    if (button) return openerId === button.id ? closePicker(true) : openPicker(button);
    if (!picker || picker.hidden) return;
    var choice = event.target.closest("[data-insert-text]");
    if (choice && picker.contains(choice)) return choose(choice.getAttribute("data-insert-text"));
    if (event.target.closest("[data-predefined-close]")) return closePicker(true);
    if (!picker.contains(event.target) && document.body.contains(event.target)) closePicker(false);
  });

  document.addEventListener("focusin", function (event) {
    var tools = event.target.matches && event.target.matches("textarea[name=body]") && toolsOf(event.target);
    if (tools) loadShortcuts(tools.getAttribute("data-predefined-shortcuts"));
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches("textarea[name=body]")) suggestFor(event.target);
  });

  document.addEventListener("focusout", function (event) {
    if (suggesting && event.target === suggesting.box) hideSuggestions();
  });

  // A press in the list must not blur the text box first (that would hide the list before the click).
  document.addEventListener("mousedown", function (event) {
    if (suggesting && suggesting.list.contains(event.target)) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var option = suggesting && event.target.closest && event.target.closest("[role=option]");
    if (option && suggesting.list.contains(option)) expand(Number(option.getAttribute("data-index")));
  });

  // Tab or Enter came before the shortcuts did (typed right after focusing the box): wait for them,
  // then do what the key would have done with them.
  function expandWhenLoaded(box, key) {
    shortcuts.promise.then(function (texts) {
      var typed = typedShortcut(box);
      var found = typed ? matching(texts, typed.word) : [];
      if (found.length) return insert(box, found[0].text, typed.start, typed.end);
      if (key === "Enter" && box.value.trim()) box.form.requestSubmit();
    });
  }

  function waitsForShortcuts(event) {
    var box = event.target;
    return (event.key === "Tab" || event.key === "Enter") && !event.shiftKey && !event.isComposing && !suggesting
      && shortcuts !== null && !shortcuts.ready && box.matches("textarea[name=body]") && toolsOf(box) !== null
      && typedShortcut(box) !== null;
  }

  // Capture phase, so Enter picks a suggestion before live.js would send the message.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && picker && !picker.hidden && picker.contains(event.target)) {
      event.preventDefault();
      return closePicker(true);
    }
    if (waitsForShortcuts(event)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return expandWhenLoaded(event.target, event.key);
    }
    if (!suggesting || event.target !== suggesting.box || event.isComposing) return;
    var count = suggesting.found.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      suggesting.active = (suggesting.active + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
      markActive();
    } else if ((event.key === "Tab" || event.key === "Enter") && !event.shiftKey) {
      expand(suggesting.active);
    } else if (event.key === "Escape") {
      hideSuggestions();
    } else {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
  }, true);

  // After a quick reply is saved or deleted (the server says so in HX-Trigger), read the shortcuts again.
  document.addEventListener("predefined-changed", function () {
    if (shortcuts) refreshShortcuts(shortcuts.url);
  });

  // A live swap may replace the composer (same ids, still open) or take it away (the chat ended, was
  // handed over): then close what belonged to it. Replacing the box also takes the focus from it, which
  // hides its suggestions though the agent never left it: live.js gives the new box the text, caret and
  // focus back, and the suggestions come back here.
  var resuggestIn = null;
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (event.detail.shouldSwap === false) return;
    var target = event.detail.target;
    if (suggesting && target && target.contains && target.contains(suggesting.box)) resuggestIn = suggesting.box.id;
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    var opener = openerId && document.getElementById(openerId);
    if (opener) opener.setAttribute("aria-expanded", "true");
    else if (openerId) closePicker(false);
    if (suggesting && !document.body.contains(suggesting.box)) suggesting = null;
    var box = resuggestIn && document.getElementById(resuggestIn);
    resuggestIn = null;
    if (box) suggestFor(box);
  });
})();
