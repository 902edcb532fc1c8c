// Asks before a destructive action: any form with data-confirm.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute && form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

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
// rows by that column (numbers as numbers: $, %, commas and units are ignored), a second click
// reverses. aria-sort tells screen readers the order.
(function () {
  var numberIn = function (text) {
    var cleaned = text.replace(/[$,%\s]/g, "").replace(/[–—]/g, "");
    var match = cleaned.match(/^-?\d+(\.\d+)?/);
    return match ? parseFloat(match[0]) : null;
  };
  var sortBy = function (table, column, header) {
    var body = table.tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    var key = function (row) {
      var cell = row.cells[column];
      var text = cell ? cell.textContent.trim() : "";
      return { text: text.toLowerCase(), number: numberIn(text) };
    };
    rows.sort(function (a, b) {
      var x = key(a), y = key(b), order;
      if (x.number !== null && y.number !== null) { order = x.number - y.number; }
      else if (x.number === null && y.number === null) { order = x.text.localeCompare(y.text); }
      else { order = x.number === null ? 1 : -1; }  // blanks and dashes last
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
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
