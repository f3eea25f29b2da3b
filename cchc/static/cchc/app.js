/* cchc: behaviour shared by every page (loaded with defer from base.html; no inline handlers, for the CSP).
 *
 * - A select marked data-submit-on-change submits its form when it changes (the language switcher); the form keeps
 *   a submit button inside <noscript> for browsers without JavaScript.
 * - A checkbox marked data-select-all="<name>" ticks or clears every checkbox of that name in its form (including
 *   those tied to the form by their form= attribute); its label is hidden until this script shows it, since
 *   without JavaScript it could do nothing.
 * - A partial update (htmx) that the server refused or never answered says so at the top of the page, in the
 *   page's language (the texts are data-error-* attributes of <body>), instead of leaving the page unchanged.
 * - A collapsed panel (<details>) that holds a form error is opened, and the first error is brought into view, so a
 *   form that comes back with errors never hides them. The pages open such panels themselves as well; this covers
 *   any panel a page forgot.
 */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-submit-on-change") && target.form) {
      target.form.submit();
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    var name = target instanceof HTMLInputElement ? target.getAttribute("data-select-all") : null;
    if (!name || !target.form) {
      return;
    }
    Array.prototype.forEach.call(target.form.elements, function (element) {
      if (element instanceof HTMLInputElement && element.type === "checkbox" && element.name === name) {
        element.checked = target.checked;
      }
    });
  });

  function announce(text) {
    var main = document.getElementById("main");
    if (!main || !text) {
      return;
    }
    var list = main.querySelector("ul.messages");
    if (!list) {
      list = document.createElement("ul");
      list.className = "messages";
      list.setAttribute("role", "status");
      main.insertBefore(list, main.firstChild);
    }
    var item = document.createElement("li");
    item.className = "message error";
    item.setAttribute("data-testid", "request-error");
    item.textContent = text;
    list.appendChild(item);
    list.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    var texts = document.body.dataset;
    announce(status === 403 ? texts.errorForbidden : status === 404 ? texts.errorMissing : texts.errorOther);
  });
  document.addEventListener("htmx:sendError", function () {
    announce(document.body.dataset.errorOffline);
  });

  var ERROR_SELECTOR = ".errorlist, .has-error, [aria-invalid=true], [data-form-error]";

  function openPanelsWithErrors(root) {
    var first = null;
    Array.prototype.forEach.call(root.querySelectorAll(ERROR_SELECTOR), function (error) {
      if (error.closest("[data-form-error-ignore]")) {
        return;
      }
      for (var panel = error.closest("details"); panel; panel = panel.parentElement.closest("details")) {
        panel.open = true;
      }
      if (!first) {
        first = error;
      }
    });
    return first;
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-select-all-label]"), function (label) {
      label.hidden = false;
    });
    var first = openPanelsWithErrors(document);
    if (first && first.getBoundingClientRect().top > window.innerHeight) {
      first.scrollIntoView({ block: "center" });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  document.addEventListener("htmx:load", function (event) {
    openPanelsWithErrors(event.target);
  });
})();
