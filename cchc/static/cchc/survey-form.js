// The public survey form (surveys/public_form.html): a progressive enhancement, the form works without it.
// - Conditions: a question with data-condition-name is shown only when the earlier question has the value (the
//   server applies the same rule on submit); hidden questions are disabled so nothing of theirs is sent.
// - The submit button is disabled once pressed (the server also stores a form sent twice only once).
// - Kiosk mode (body[data-kiosk-home]): back to a fresh form after data-kiosk-idle seconds without a touch.
(function () {
  "use strict";
  var form = document.querySelector("[data-survey-form]");

  function answers(name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if (input.disabled) return;
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      if (input.value.trim() !== "") values.push(input.value.trim());
    });
    return values;
  }

  function sameValue(given, expected) {
    if (given === expected) return true;
    var a = parseFloat(given.replace(",", ".")), b = parseFloat(expected);
    return !isNaN(a) && !isNaN(b) && a === b && /^[-+0-9.,\s]+$/.test(given);
  }

  function applyConditions() {
    // In form order, so a question hidden by an earlier hidden question is hidden too.
    form.querySelectorAll("[data-condition-name]").forEach(function (field) {
      var expected = field.getAttribute("data-condition-value");
      var shown = answers(field.getAttribute("data-condition-name")).some(function (value) {
        return sameValue(value, expected);
      });
      field.hidden = !shown;
      field.querySelectorAll("input, textarea, select").forEach(function (input) { input.disabled = !shown; });
    });
  }

  if (form) {
    form.addEventListener("change", applyConditions);
    form.addEventListener("input", applyConditions);
    applyConditions();
    form.addEventListener("submit", function () {
      var button = form.querySelector("[data-submit-once]");
      if (button) window.setTimeout(function () { button.disabled = true; }, 0);
    });
  }

  var home = document.body.getAttribute("data-kiosk-home");
  var idle = parseInt(document.body.getAttribute("data-kiosk-idle") || "0", 10);
  if (home && idle > 0) {
    var timer = null;
    var restart = function () {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(function () { window.location.replace(home); }, idle * 1000);
    };
    ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (name) {
      document.addEventListener(name, restart, { passive: true });
    });
    restart();
  }
  var fullscreen = document.querySelector("[data-kiosk-fullscreen]");
  if (fullscreen && document.fullscreenEnabled) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", function () {
      document.documentElement.requestFullscreen().catch(function () {});
      fullscreen.hidden = true;
    });
  }
})();
