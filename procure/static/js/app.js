// Asks before a destructive action: a form with data-confirm, or the button that submits it
// (a form with several actions, such as approve and reject, asks only for the one clicked).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  var message = (button && button.getAttribute("data-confirm")) ||
    (form.getAttribute && form.getAttribute("data-confirm"));
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// An error summary names each field by the label it has on the page (the server writes the
// field's key in words where the page gave it no label).
Array.prototype.forEach.call(
  document.querySelectorAll("#error-summary a[href^='#']"),
  function (link) {
    var field = document.getElementById(link.getAttribute("href").slice(1));
    var label = field && field.labels && field.labels[0] && field.labels[0].cloneNode(true);
    if (label) {  // without what screen readers skip, such as a required field's "*"
      Array.prototype.forEach.call(label.querySelectorAll("[aria-hidden='true']"), function (e) {
        e.remove();
      });
    }
    var text = label && label.textContent.replace(/\s+/g, " ").trim();
    if (text) {
      link.textContent = text;
    }
  }
);

// Background jobs: while a job shown on the page is queued or running, poll its status from
// the API once a second, show its progress, and reload the page when it ends.
(function () {
  var panels = document.querySelectorAll("[data-job-url]");
  Array.prototype.forEach.call(panels, function (panel) {
    var status = panel.getAttribute("data-job-status");
    if (status !== "queued" && status !== "running") {
      return;
    }
    var url = panel.getAttribute("data-job-url");
    var field = function (name) { return panel.querySelector("[data-job-field='" + name + "']"); };
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (job) {
          if (job.status !== "queued" && job.status !== "running") {
            window.location.reload();
            return;
          }
          var bar = field("progress");
          if (bar) { bar.value = job.progress; bar.textContent = job.progress + " %"; }
          if (field("percent")) { field("percent").textContent = job.progress; }
          if (field("message")) { field("message").textContent = job.message; }
          if (field("status")) { field("status").textContent = job.status; }
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 700);
  });
})();

// Profile editor: ask the server for the ranking under the unsaved values as the buyer types
// (debounced), and show it in place. Saving stays an explicit button.
(function () {
  var form = document.querySelector("form[data-live-preview]");
  var target = document.getElementById("preview");
  if (!form || !target) {
    return;
  }
  var timer = null;
  var latest = 0;
  var refresh = function () {
    var asked = ++latest;
    target.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("data-live-preview"), { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (asked === latest) {  // an older answer arriving late is dropped
          target.innerHTML = html;
          target.removeAttribute("aria-busy");
        }
      })
      .catch(function () { target.removeAttribute("aria-busy"); });
  };
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
})();

// Sortable tables: every column header of a table.sortable becomes a button; a click sorts the
// rows by that column, a second click reverses. A cell's data-sort attribute, when present, is
// what it sorts by (a number, or text such as an ISO date; empty for a missing value): cells
// whose text does not sort as itself carry one (a rank range "3–7", a period "2026-01-01 –
// 2026-12-31"). Otherwise numbers sort as numbers ($, %, commas and units are ignored) and
// text as text. Blank and dash-only cells ("—" for missing) go last in either order. aria-sort
// tells screen readers the order.
(function () {
  var NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
  var BLANK = /^[-–—]?$/;
  var numberIn = function (text) {
    var match = text.replace(/[$,%\s]/g, "").replace(/\u2212/g, "-").match(/^-?\d+(\.\d+)?/);
    return match ? parseFloat(match[0]) : null;  // "3–7" reads 3, never 37
  };
  var sortKey = function (cell) {
    var given = cell ? cell.getAttribute("data-sort") : "";
    if (given !== null) {
      given = given.trim();
      return { blank: given === "", number: NUMBER.test(given) ? parseFloat(given) : null, text: given.toLowerCase() };
    }
    var text = cell.textContent.trim();
    return { blank: BLANK.test(text), number: numberIn(text), text: text.toLowerCase() };
  };
  var sortBy = function (table, column, header) {
    var body = table.tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var keyed = Array.prototype.map.call(body.rows, function (row) { return { row: row, key: sortKey(row.cells[column]) }; });
    keyed.sort(function (a, b) {
      var x = a.key, y = b.key, order;
      if (x.blank || y.blank) { return (x.blank ? 1 : 0) - (y.blank ? 1 : 0); }  // last either way
      if (x.number !== null && y.number !== null) { order = x.number - y.number; }
      else if (x.number === null && y.number === null) { order = x.text.localeCompare(y.text); }
      else { order = x.number === null ? 1 : -1; }
      return ascending ? order : -order;
    });
    keyed.forEach(function (entry) { body.appendChild(entry.row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  };
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
      var label = header.textContent.trim();
      if (!label || header.hasAttribute("data-nosort")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (header.firstChild) { button.appendChild(header.firstChild); }
      header.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, column, header); });
    });
  });
})();

// Copy boxes: a button with data-copy="<input id>" copies that input's text (a link shown once)
// and says so in the element with the same data-copy-status; where the clipboard is not allowed,
// the text is selected for the user to copy. Inputs with data-select-on-focus select themselves.
(function () {
  Array.prototype.forEach.call(document.querySelectorAll("[data-select-on-focus]"), function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    var name = button.getAttribute("data-copy");
    var input = document.getElementById(name);
    var status = document.querySelector("[data-copy-status='" + name + "']");
    if (!input) { return; }
    var say = function (text) { if (status) { status.textContent = text; } };
    button.addEventListener("click", function () {
      input.focus();
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value)
          .then(function () { say("Copied."); })
          .catch(function () { say("Selected: press Ctrl+C (or ⌘C) to copy."); });
      } else {
        say("Selected: press Ctrl+C (or ⌘C) to copy.");
      }
    });
  });
})();

// Narrow screens: the navigation and the user menu fold behind the Menu button (CSS shows the
// button only on a narrow screen, and only once this has run, so without script nothing hides).
// Escape closes the menu and gives the focus back to the button.
(function () {
  var bar = document.querySelector(".topbar");
  var button = bar && bar.querySelector(".nav-toggle");
  if (!button) {
    return;
  }
  var setOpen = function (open) {
    bar.classList.toggle("nav-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  };
  bar.classList.add("nav-collapsible");
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  bar.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && bar.classList.contains("nav-open")) {
      setOpen(false);
      button.focus();
    }
  });
})();

// Boxes that scroll sideways on a narrow screen (a table on a phone, a card on a tablet): one
// whose content is wider than it can be scrolled with the arrow keys once focused, so it joins
// the Tab order then (and only then).
(function () {
  var boxes = document.querySelectorAll("table.table, .card");
  if (!boxes.length) {
    return;
  }
  var scrolls = function (box) {
    var overflow = window.getComputedStyle(box).overflowX;
    return (overflow === "auto" || overflow === "scroll") && box.scrollWidth > box.clientWidth + 1;
  };
  var mark = function () {
    Array.prototype.forEach.call(boxes, function (box) {
      if (scrolls(box)) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  };
  mark();
  window.addEventListener("resize", function () { window.requestAnimationFrame(mark); });
})();

// Drafts that save as the user types: a form with data-autosave posts its fields (never a file,
// never a submission) two seconds after the last change, with the header X-Autosave, and takes
// the new edit version from the answer. What was typed stays on the page whatever the answer;
// the element with data-autosave-status says whether it was saved and, if not, why. After a
// conflict (someone else saved) it stops: the user reloads or saves by hand and sees the notice.
// A button pressed while a save is on its way waits for it, so the form sends the new version.
(function () {
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = form.querySelector("[data-autosave-status]");
  var version = form.querySelector("input[name='edit_version']");
  var timer = null, saving = false, again = false, stopped = false, held = null;
  var say = function (text) { if (status) { status.textContent = text; } };
  var send = function (button) {
    // the button's own name, value and target, as a click would have sent them
    if (button && button.name) {
      var chosen = document.createElement("input");
      chosen.type = "hidden";
      chosen.name = button.name;
      chosen.value = button.value;
      form.appendChild(chosen);
    }
    if (button && button.hasAttribute("formaction")) {
      form.action = button.formAction;
    }
    form.submit();
  };
  var save = function () {
    if (stopped) { return; }
    if (saving) { again = true; return; }
    saving = true;
    var data = new FormData(form);
    data.delete("file");
    data.set("action", "save");
    fetch(form.getAttribute("action") || window.location.pathname, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Autosave": "1", "Accept": "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (answer) { return [response.status, answer]; });
      })
      .then(function (reply) {
        var code = reply[0], answer = reply[1];
        if (answer.saved) {
          if (version) { version.value = answer.edit_version; }
          document.dispatchEvent(new CustomEvent("procure:saved"));
          say(answer.message + " at " + new Date().toTimeString().slice(0, 5) + ".");
        } else {
          stopped = stopped || code === 409;
          say(answer.message + (code === 409 ? " Autosave has stopped; what you typed is still here. Press Save draft to check it before saving it over the other changes, or reload the page to see them (what you typed is then lost)." : ""));
        }
      })
      .catch(function () { say("Not saved: the server could not be reached. Press Save draft to try again."); })
      .then(function () {
        saving = false;
        if (held) {
          send(held.button);
        } else if (again) {
          again = false;
          save();
        }
      });
  };
  var changed = function (event) {
    if (stopped || (event.target && event.target.type === "file")) { return; }
    window.clearTimeout(timer);
    say("Unsaved changes…");
    timer = window.setTimeout(save, 2000);
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // after the confirmation's own listener (on the document too, added before this one)
  document.addEventListener("submit", function (event) {
    if (event.target !== form || event.defaultPrevented) {
      return;
    }
    window.clearTimeout(timer);
    stopped = true;
    if (saving) {
      event.preventDefault();
      held = { button: event.submitter };
      say("Saving…");
    }
  });
})();

// Fragments: an element with data-fragment-url shows the HTML that URL answers (its link is the
// way there without script), loaded with the page and again whenever the page saves by itself
// (the "procure:saved" event of the autosave above).
(function () {
  var boxes = document.querySelectorAll("[data-fragment-url]");
  if (!boxes.length || !window.fetch) {
    return;
  }
  var load = function () {
    Array.prototype.forEach.call(boxes, function (box) {
      fetch(box.getAttribute("data-fragment-url"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) { box.innerHTML = html; })
        .catch(function () { /* the link stays: the user can follow it */ });
    });
  };
  load();
  document.addEventListener("procure:saved", load);
})();

// Award rule forms of a large plan: "Add another name" (shown only with script) adds one more
// field to name a vendor in, empty, after the last one.
(function () {
  Array.prototype.forEach.call(document.querySelectorAll("[data-add-vendor-name]"), function (button) {
    var box = button.closest("[data-vendor-names]");
    if (!box) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var fields = box.querySelectorAll("input[type=text]");
      var last = fields[fields.length - 1];
      var field = last.cloneNode(false);
      field.removeAttribute("id");
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
      field.setAttribute("aria-label", "Another vendor's name");
      field.value = "";
      last.parentNode.insertBefore(field, last.nextSibling);
      field.focus();
    });
  });
})();
