/* After an htmx swap: move focus to the result when the swap took the focus away, and
   say what changed in the page's one polite live region (#live-status in base.html).

   Focus moves only when it was inside the replaced content (a button in the verdict
   panel, a sort link in the table) or fell to <body>: someone typing in a filter field
   keeps the caret where it is, and a polling card does not steal focus from elsewhere.
   Within the result, focus goes to the first field with an error, else to an element
   marked data-swap-focus, else to the first heading, else to the region itself; a
   heading or region gets tabindex="-1" so that it can hold focus.
   The words said: the result's data-announce, else its errors (up to three), else its
   status message, else "<heading> updated."; nothing when the region reads as before.
   Loaded with defer; the CSP forbids inline script. */
(function () {
  "use strict";
  var before = new WeakMap();
  var handled = new WeakSet();

  function liveRegion() {
    return document.getElementById("live-status");
  }

  function announce(text) {
    var region = liveRegion();
    if (!region || !text) return;
    // Emptied first, so that the same words said twice are said again.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 50);
  }

  function words(el) {
    return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function focusTarget(result) {
    var field = result.querySelector("[aria-invalid='true'], .has-error input, .has-error select, .has-error textarea");
    if (field) return field;
    var marked = result.matches("[data-swap-focus]") ? result : result.querySelector("[data-swap-focus]");
    if (marked) return marked;
    var heading = result.matches("h1, h2, h3") ? result : result.querySelector("h1, h2, h3");
    return heading || result;
  }

  function message(result) {
    var own = result.closest("[data-announce]") || result.querySelector("[data-announce]");
    if (own) return own.getAttribute("data-announce");
    // Errors first: the form's summary and the fields' own messages, each said once.
    var picked = [];
    result.querySelectorAll("[role='alert'], .form-errors, .error").forEach(function (el) {
      var text = words(el);
      var inside = picked.some(function (p) { return p.el.contains(el); });
      if (text && !inside && picked.length < 3) picked.push({ el: el, text: text });
    });
    if (picked.length) return picked.map(function (p) { return p.text; }).join(" ");
    var said = result.querySelector("[role='status'], .message, [aria-live]");
    if (said && words(said)) return words(said);
    var heading = result.matches("h1, h2, h3") ? result : result.querySelector("h1, h2, h3, caption");
    return heading ? words(heading) + " updated." : "";
  }

  function focusLost() {
    var active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    if (event.detail.xhr && target) {
      before.set(event.detail.xhr, {
        focusWasInside: Boolean(active && active !== document.body && target.contains(active)),
        words: words(target),
      });
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    var result = event.target;
    // htmx fires afterSettle once per swapped-in element: act on the first only.
    if (!xhr || handled.has(xhr) || !(result instanceof Element) || !result.isConnected) return;
    handled.add(xhr);
    var was = before.get(xhr) || {};
    if (was.focusWasInside || focusLost()) {
      var target = focusTarget(result);
      if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
    // A poll that brought back the same words (a pack still rendering) says nothing.
    if (words(result) !== was.words) announce(message(result));
  });
})();
