/* cchc unit picker: turns the search box of organisations/widgets/unit_picker.html into a combobox.
 *
 * Without this script the widget is a text box (searched when the form is submitted) and a select. With it, typing
 * asks the server for matches, the matches are a listbox (ARIA combobox pattern: arrow keys, Enter, Escape), and the
 * chosen units are chips. The select stays in the form, hidden, and carries the chosen primary keys.
 *
 * The person picker (accounts/widgets/person_picker.html, data-person-picker) uses the same script. Its results
 * carry a "detail" (username, e-mail address, units), shown in the list and on the chip; unit results carry their
 * "code" and parent "path" instead.
 */
(function () {
  "use strict";

  if (window.cchcUnitPicker) {
    window.cchcUnitPicker.scan(document);
    return;
  }

  var DELAY_MS = 200;

  function format(text, values) {
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function Picker(root) {
    this.root = root;
    this.select = root.querySelector("select");
    this.input = root.querySelector(".unit-picker-input");
    this.listbox = root.querySelector("[role=listbox]");
    this.status = root.querySelector("[role=status]");
    this.chips = root.querySelector("[data-chips]");
    this.multiple = this.select.multiple;
    this.url = root.getAttribute("data-url");
    this.results = [];
    this.active = -1;
    this.timer = null;
    this.controller = null;
    this.sequence = 0;
    this.setUp();
  }

  Picker.prototype.message = function (key, values) {
    return format(this.root.getAttribute("data-msg-" + key) || "", values);
  };

  Picker.prototype.setUp = function () {
    var self = this;
    var input = this.input;
    // The search text is no longer posted: the select carries the choice.
    input.removeAttribute("name");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.listbox.id);
    // The hint for typing with the script replaces the hint for searching on submission.
    var nojsHint = this.root.querySelector("p[data-hint-nojs]");
    var jsHint = this.root.querySelector("p[data-hint-js]");
    var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
      return id && id !== nojsHint.id;
    });
    described.push(jsHint.id);
    input.setAttribute("aria-describedby", described.join(" "));
    nojsHint.hidden = true;
    jsHint.hidden = false;
    this.select.hidden = true;
    this.select.setAttribute("aria-hidden", "true");
    this.select.tabIndex = -1;
    // Candidates of a search posted without the script are not choices.
    Array.prototype.slice.call(this.select.options).forEach(function (option) {
      if (option.value && !option.selected) {
        option.remove();
      }
    });
    this.chips.hidden = false;
    this.root.classList.add("is-enhanced");
    this.renderChips();

    input.addEventListener("input", function () {
      self.schedule();
    });
    input.addEventListener("keydown", function (event) {
      self.onKey(event);
    });
    input.addEventListener("blur", function () {
      self.close();
    });
    // Keep the focus in the text box while an option is clicked.
    this.listbox.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    // A click handled here is cancelled, so that a <label> around the field does not pass it on to its first control
    // (after a choice, the new chip's remove button), which would undo the choice at once.
    this.listbox.addEventListener("click", function (event) {
      var item = event.target.closest("[role=option]");
      if (item) {
        event.preventDefault();
        self.choose(Number(item.getAttribute("data-index")));
      }
    });
    this.chips.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-value]");
      if (button) {
        event.preventDefault();
        self.remove(button.getAttribute("data-value"));
      }
    });
  };

  Picker.prototype.isOpen = function () {
    return !this.listbox.hidden;
  };

  Picker.prototype.schedule = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      self.search(self.input.value);
    }, DELAY_MS);
  };

  Picker.prototype.search = function (query) {
    var self = this;
    var sequence = ++this.sequence;
    if (this.controller) {
      this.controller.abort();
    }
    this.controller = window.AbortController ? new AbortController() : null;
    this.setStatus(this.message("loading"));
    var url = this.url + (this.url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query.trim());
    fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
      signal: this.controller ? this.controller.signal : undefined,
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          // For example the login page, once the session has expired.
          throw { detail: "" };
        }
        return response.json().then(function (data) {
          if (!response.ok) {
            throw { detail: data.detail || "" };
          }
          return data;
        });
      })
      .then(function (data) {
        if (sequence === self.sequence) {
          self.show(data.results || [], Boolean(data.more));
        }
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") {
          return;
        }
        if (sequence === self.sequence) {
          self.results = [];
          self.close();
          self.setStatus((error && error.detail) || self.message("failed"));
        }
      });
  };

  Picker.prototype.chosenValues = function () {
    return Array.prototype.slice
      .call(this.select.options)
      .filter(function (option) {
        return option.selected && option.value;
      })
      .map(function (option) {
        return option.value;
      });
  };

  Picker.prototype.show = function (results, more) {
    var self = this;
    var chosen = this.chosenValues();
    this.results = results;
    this.active = results.length ? 0 : -1;
    this.listbox.textContent = "";
    results.forEach(function (result, index) {
      var item = document.createElement("li");
      item.id = self.listbox.id + "-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("data-index", String(index));
      var name = document.createElement("span");
      name.className = "unit-picker-name";
      name.textContent = result.name;
      item.appendChild(name);
      var detail = document.createElement("span");
      detail.className = "unit-picker-path";
      var parts = result.detail !== undefined ? [result.detail] : [result.code];
      if (result.detail === undefined && result.path) {
        parts.push(result.path);
      }
      if (chosen.indexOf(String(result.id)) !== -1) {
        parts.push(self.message("already"));
        item.classList.add("is-chosen");
      }
      detail.textContent = parts.filter(Boolean).join(" · ");
      item.appendChild(document.createTextNode(" "));
      item.appendChild(detail);
      self.listbox.appendChild(item);
    });
    if (results.length && document.activeElement === this.input) {
      this.open();
      this.highlight(0);
    } else {
      this.close();
    }
    var count = { count: results.length };
    if (!results.length) {
      this.setStatus(this.message("none"));
    } else if (more) {
      this.setStatus(this.message("more", count));
    } else {
      this.setStatus(this.message(results.length === 1 ? "one" : "many", count));
    }
  };

  Picker.prototype.open = function () {
    this.listbox.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  Picker.prototype.close = function () {
    this.listbox.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Picker.prototype.highlight = function (index) {
    var items = this.listbox.querySelectorAll("[role=option]");
    if (!items.length) {
      return;
    }
    this.active = (index + items.length) % items.length;
    Array.prototype.forEach.call(items, function (item, position) {
      item.setAttribute("aria-selected", position === this.active ? "true" : "false");
    }, this);
    var current = items[this.active];
    this.input.setAttribute("aria-activedescendant", current.id);
    if (current.scrollIntoView) {
      current.scrollIntoView({ block: "nearest" });
    }
  };

  Picker.prototype.onKey = function (event) {
    if (event.isComposing || event.keyCode === 229) {
      // An input method (Telex, VNI) is still composing a letter: Enter and the arrows belong to it.
      return;
    }
    var key = event.key;
    if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      if (!this.isOpen()) {
        window.clearTimeout(this.timer);
        this.search(this.input.value);
        return;
      }
      this.highlight(this.active + (key === "ArrowDown" ? 1 : -1));
    } else if (key === "Enter") {
      if (this.isOpen() && this.active >= 0) {
        event.preventDefault();
        this.choose(this.active);
      } else if (this.input.value.trim()) {
        // Typed text is a search, never a form submission.
        event.preventDefault();
        window.clearTimeout(this.timer);
        this.search(this.input.value);
      }
    } else if (key === "Escape") {
      if (this.isOpen()) {
        event.preventDefault();
        this.close();
      } else if (this.input.value) {
        event.preventDefault();
        this.input.value = "";
        this.setStatus("");
      }
    } else if (key === "Tab") {
      this.close();
    }
  };

  Picker.prototype.optionFor = function (value) {
    return Array.prototype.slice.call(this.select.options).filter(function (option) {
      return option.value === value;
    })[0];
  };

  Picker.prototype.choose = function (index) {
    var result = this.results[index];
    if (!result) {
      return;
    }
    // A search still waiting or running would reopen the list.
    window.clearTimeout(this.timer);
    this.sequence += 1;
    var value = String(result.id);
    if (!this.multiple) {
      Array.prototype.slice.call(this.select.options).forEach(function (option) {
        if (option.value) {
          option.remove();
        }
      });
    }
    var option = this.optionFor(value);
    if (!option) {
      option = new Option(result.label, value, true, true);
      option.setAttribute("data-name", result.name);
      option.setAttribute("data-path", (result.detail !== undefined ? result.detail : result.path) || "");
      this.select.appendChild(option);
    }
    option.selected = true;
    this.select.dispatchEvent(new Event("change", { bubbles: true }));
    this.input.value = "";
    this.results = [];
    this.close();
    this.renderChips();
    this.setStatus(this.message("chosen", { name: result.label }));
    this.input.focus();
  };

  Picker.prototype.remove = function (value) {
    var option = this.optionFor(value);
    if (!option) {
      return;
    }
    var name = option.getAttribute("data-name") || option.textContent;
    if (this.multiple) {
      option.remove();
    } else {
      option.remove();
      var empty = this.optionFor("");
      if (!empty) {
        empty = new Option("—", "", true, true);
        this.select.insertBefore(empty, this.select.firstChild);
      }
      empty.selected = true;
    }
    this.select.dispatchEvent(new Event("change", { bubbles: true }));
    this.renderChips();
    this.setStatus(this.message("removed", { name: name }));
    this.input.focus();
  };

  Picker.prototype.renderChips = function () {
    var self = this;
    this.chips.textContent = "";
    Array.prototype.slice.call(this.select.options).forEach(function (option) {
      if (!option.selected || !option.value) {
        return;
      }
      var name = option.getAttribute("data-name") || option.textContent;
      var path = option.getAttribute("data-path") || "";
      var chip = document.createElement("li");
      chip.className = "unit-picker-chip";
      var label = document.createElement("span");
      label.textContent = name;
      if (path) {
        label.title = path;
        var where = document.createElement("span");
        where.className = "unit-picker-path";
        where.textContent = " — " + path;
        label.appendChild(where);
      }
      chip.appendChild(label);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "unit-picker-remove";
      button.setAttribute("data-value", option.value);
      button.setAttribute("aria-label", self.message("remove", { name: name }));
      button.textContent = "×";
      chip.appendChild(button);
      self.chips.appendChild(chip);
    });
    this.chips.hidden = !this.chips.children.length;
  };

  Picker.prototype.setStatus = function (text) {
    this.status.textContent = text;
  };

  var ROOTS = "[data-unit-picker]:not([data-picker-ready]), [data-person-picker]:not([data-picker-ready])";

  function scan(container) {
    var roots = (container || document).querySelectorAll(ROOTS);
    Array.prototype.forEach.call(roots, function (root) {
      root.setAttribute("data-picker-ready", "");
      new Picker(root);
    });
  }

  window.cchcUnitPicker = { scan: scan };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      scan(document);
    });
  } else {
    scan(document);
  }
  // Forms swapped in by htmx.
  document.addEventListener("htmx:load", function (event) {
    scan(event.target);
  });
})();
