// supportdesk web UI: progressive enhancement only. Every page works
// without this script; it adds a live character count, a copy button,
// focus on messages, and a guard against double submission.
(function () {
  "use strict";

  // Move focus to a message the page was rendered to show (an error
  // summary or a success notification), so screen readers announce it.
  var focus = document.querySelector("[data-autofocus]");
  if (focus) {
    focus.focus();
  }

  // Live character count: code points of the trimmed text, as the server
  // counts them. The visible count updates at once; the announcement for
  // screen readers waits until typing pauses.
  document.querySelectorAll("[data-count-max]").forEach(function (input) {
    var max = parseInt(input.getAttribute("data-count-max"), 10);
    var shown = document.getElementById(input.id + "-count");
    var live = document.getElementById(input.id + "-count-live");
    var timer;
    function update() {
      var n = Array.from(input.value.trim()).length;
      var text = n <= max
        ? n + " of " + max + " characters"
        : n + " of " + max + " characters: " + (n - max) + " too many";
      shown.textContent = text;
      shown.classList.toggle("over", n > max);
      clearTimeout(timer);
      timer = setTimeout(function () { live.textContent = text; }, 800);
    }
    input.addEventListener("input", update);
    update();
  });

  // Copy buttons copy the text of the element their data-copy names. The
  // Clipboard API needs a secure context; elsewhere the text is selected
  // and copied the old way, or left selected for the user to copy.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    button.hidden = false;
    function say(text) { if (status) { status.textContent = text; } }
    function fallback() {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      say(ok ? "Copied." : "Press Ctrl+C (or \u2318C) to copy the selected reference.");
    }
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { say("Copied."); }, fallback);
      } else {
        fallback();
      }
    });
  });

  // A form submits once: a second click while the first is on its way
  // would create a second request.
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitted) {
        event.preventDefault();
        return;
      }
      form.dataset.submitted = "true";
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.setAttribute("aria-disabled", "true");
      });
    });
  });
  // A page restored from the back-forward cache may be submitted again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.removeAttribute("aria-disabled");
      });
    });
  });
})();
