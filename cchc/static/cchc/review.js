/* cchc: the review of a directive's proposed tasks beside its document (directives/draft_review.html).
 *
 * - Opening a task (its row, or its link "Xem đoạn này trong văn bản") marks its passage in the document; clicking
 *   a marked passage opens the task it belongs to.
 * - A task the extractor missed: the reviewer selects its words in the document and presses "Thêm nhiệm vụ từ
 *   đoạn đã chọn"; the server reads the lead unit and deadline from the selection and sends back a new row, added
 *   to the list as one more form of the formset. Without JavaScript the empty "Thêm nhiệm vụ" rows remain.
 */
(function () {
  "use strict";

  function panel() {
    return document.querySelector("[data-selection-url]");
  }

  function showPassage(number) {
    var documentText = document.querySelector("[data-testid=document-text]");
    if (!documentText) {
      return;
    }
    Array.prototype.forEach.call(documentText.querySelectorAll("mark.is-active"), function (mark) {
      mark.classList.remove("is-active");
    });
    if (!number) {
      return;
    }
    var first = null;
    Array.prototype.forEach.call(documentText.querySelectorAll("mark[data-tasks]"), function (mark) {
      if (mark.getAttribute("data-tasks").split(" ").indexOf(String(number)) >= 0) {
        mark.classList.add("is-active");
        first = first || mark;
      }
    });
    var anchor = document.getElementById("doc-task-" + number) || first;
    if (anchor) {
      anchor.scrollIntoView({ block: "center" });
    }
  }

  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (!(details instanceof HTMLDetailsElement) || !details.open) {
        return;
      }
      var row = details.closest("li[data-task]");
      if (row) {
        showPassage(row.getAttribute("data-task"));
      }
    },
    true
  );

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-doc-task]") : null;
    if (link) {
      event.preventDefault();
      showPassage(link.getAttribute("data-doc-task"));
      return;
    }
    var mark = event.target.closest ? event.target.closest("[data-testid=document-text] mark[data-tasks]") : null;
    if (!mark || !window.getSelection().isCollapsed) {
      return;
    }
    var number = mark.getAttribute("data-tasks").split(" ")[0];
    var row = document.querySelector("li[data-task='" + number + "']");
    if (row) {
      var details = row.querySelector("details");
      details.open = true;
      row.scrollIntoView({ block: "nearest" });
      showPassage(number);
    }
  });

  function selectedText() {
    var holder = panel();
    var selection = window.getSelection();
    if (!holder || !selection || selection.isCollapsed || selection.rangeCount === 0) {
      return "";
    }
    var text = holder.querySelector("[data-testid=document-text]");
    var range = selection.getRangeAt(0);
    if (!text || !text.contains(range.commonAncestorContainer)) {
      return "";
    }
    return selection.toString().replace(/\s+/g, " ").trim();
  }

  function setUp() {
    var holder = panel();
    if (!holder) {
      return;
    }
    var help = holder.querySelector("[data-selection-help]");
    var actions = holder.querySelector("[data-selection-actions]");
    var button = holder.querySelector("[data-add-selection]");
    var message = holder.querySelector("[data-selection-message]");
    var total = document.querySelector("input[name=tasks-TOTAL_FORMS]");
    var list = document.getElementById("proposed-tasks");
    if (!help || !actions || !button || !total || !list || !window.htmx) {
      return;
    }
    help.hidden = false;
    document.addEventListener("selectionchange", function () {
      if (selectedText()) {
        actions.hidden = false;
        message.textContent = "";
      } else if (!button.disabled) {
        actions.hidden = true;
      }
    });
    button.addEventListener("click", function () {
      var text = selectedText();
      if (!text || button.disabled) {
        return;
      }
      if (text.length > parseInt(holder.getAttribute("data-selection-max"), 10)) {
        message.textContent = message.getAttribute("data-text-too-long");
        return;
      }
      // The new row's index is taken now, so a second click while the first is on its way gets the next one.
      var index = parseInt(total.value, 10);
      total.value = String(index + 1);
      button.disabled = true;
      window.htmx
        .ajax("POST", holder.getAttribute("data-selection-url"), {
          target: "#proposed-tasks",
          swap: "beforeend",
          values: { text: text, index: index },
        })
        .then(function () {
          button.disabled = false;
          actions.hidden = true;
          window.getSelection().removeAllRanges();
          var rows = list.querySelectorAll("li.proposed-task");
          var added = rows[rows.length - 1];
          if (added) {
            added.scrollIntoView({ block: "nearest" });
            var content = added.querySelector("textarea");
            if (content) {
              content.focus();
            }
          }
        }, function () {
          button.disabled = false;
        });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
