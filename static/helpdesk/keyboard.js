// The WAI-ARIA keyboard patterns of the workspace: the chat's "Menu" button (menu button pattern: Enter,
// Space or Arrow Down open it on the first item, Arrow Up on the last; Arrow keys, Home and End move; Escape
// closes it back onto the button; Tab closes it and moves on) and the workspace tabs (tabs pattern: Arrow
// Left/Right, Home and End choose a tab; only the chosen one is in the Tab order, app.js keeps that).
(function () {
  "use strict";

  function menuOf(toggle) { return document.getElementById(toggle.getAttribute("aria-controls")); }
  function toggleOf(menu) { return document.querySelector('[aria-controls="' + CSS.escape(menu.id) + '"]'); }
  function itemsOf(menu) {
    return Array.prototype.filter.call(menu.querySelectorAll('[role="menuitem"]'), function (item) {
      return !item.disabled && !item.hidden;
    });
  }

  function close(menu) {
    menu.hidden = true;
    var toggle = toggleOf(menu);
    if (toggle) toggle.setAttribute("aria-expanded", "false");
  }
  function closeAllBut(keep) {
    document.querySelectorAll('[role="menu"]:not([hidden])').forEach(function (menu) {
      if (menu !== keep) close(menu);
    });
  }
  function open(toggle, focusLast) {
    var menu = menuOf(toggle);
    if (!menu) return;
    closeAllBut(menu);
    menu.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    var items = itemsOf(menu);
    if (items.length) items[focusLast ? items.length - 1 : 0].focus();
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-menu-toggle]");
    if (toggle) {
      var menu = menuOf(toggle);
      if (menu && menu.hidden) open(toggle, false); else if (menu) close(menu);
      return;
    }
    var item = event.target.closest('[role="menu"] [role="menuitem"]');
    if (item) {
      // The item has done its work (listeners on it and earlier ones on document ran first). Focus goes back
      // to the Menu button unless the item moved it somewhere of its own, such as the Transfer form.
      var itemsMenu = item.closest('[role="menu"]');
      var active = document.activeElement;
      close(itemsMenu);
      var owner = toggleOf(itemsMenu);
      if (owner && (!active || active === document.body || itemsMenu.contains(active))) owner.focus();
      return;
    }
    closeAllBut(null);
  });

  document.addEventListener("keydown", function (event) {
    if (!event.target.closest) return;
    var toggle = event.target.closest("[data-menu-toggle]");
    if (toggle && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      open(toggle, event.key === "ArrowUp");
      return;
    }
    var menu = event.target.closest('[role="menu"]');
    if (!menu) return;
    var items = itemsOf(menu);
    var at = items.indexOf(event.target);
    var next = null;
    if (event.key === "ArrowDown") next = items[(at + 1) % items.length];
    else if (event.key === "ArrowUp") next = items[(at - 1 + items.length) % items.length];
    else if (event.key === "Home") next = items[0];
    else if (event.key === "End") next = items[items.length - 1];
    else if (event.key === "Escape" || event.key === "Tab") {
      // Tab: from the button, the browser then moves on to what follows (or precedes) the closed menu.
      var owner = toggleOf(menu);
      if (event.key === "Escape") event.preventDefault();
      if (owner) owner.focus();
      close(menu);
      return;
    }
    if (!next) return;
    event.preventDefault();
    next.focus();
  });

  // Focus leaving for another element on the page closes the menu (a pointer, or a reader's own keys).
  // Not when it leaves for nowhere: a confirmation dialog takes it for a moment, and the item's click goes on.
  document.addEventListener("focusout", function (event) {
    var menu = event.target.closest && event.target.closest('[role="menu"]');
    var to = event.relatedTarget;
    if (!menu || menu.hidden || !to || menu.contains(to) || to === toggleOf(menu)) return;
    close(menu);
  });

  // The chat header is re-sent on live updates (a visitor arriving anywhere re-renders it): an open Menu
  // stays open across that swap, with the focus on the same item, or it closes under the agent's hand.
  var reopen = null;
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (event.detail.shouldSwap === false) return;
    var target = event.detail.target;
    var menu = target && target.querySelector && target.querySelector('[role="menu"]:not([hidden])');
    if (menu) reopen = { id: menu.id, focused: itemsOf(menu).indexOf(document.activeElement) };
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    var menu = reopen && document.getElementById(reopen.id);
    var focused = reopen ? reopen.focused : -1;
    reopen = null;
    var toggle = menu && toggleOf(menu);
    if (!toggle) return;
    menu.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    var items = itemsOf(menu);
    if (focused !== -1 && items[focused]) items[focused].focus();
  });

  // Tabs: the Arrow keys, Home and End choose a tab at once (automatic activation); app.js shows its panel.
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest('[role="tablist"] [role="tab"]');
    if (!tab) return;
    var tabs = Array.prototype.slice.call(tab.closest('[role="tablist"]').querySelectorAll('[role="tab"]'));
    var at = tabs.indexOf(tab);
    var next = null;
    if (event.key === "ArrowRight") next = tabs[(at + 1) % tabs.length];
    else if (event.key === "ArrowLeft") next = tabs[(at - 1 + tabs.length) % tabs.length];
    else if (event.key === "Home") next = tabs[0];
    else if (event.key === "End") next = tabs[tabs.length - 1];
    if (!next) return;
    event.preventDefault();
    next.focus();
    next.click();
  });
})();
