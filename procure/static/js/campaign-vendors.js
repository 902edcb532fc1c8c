// A campaign's vendor picker (templates/campaigns/_vendor_picker.html): as the buyer types in
// the search box, ask GET /api/v1/campaigns/vendor-search for at most 50 vendors whose name holds
// the text, and list them in place of the page's matches. A ticked vendor moves to the chosen
// ones, so it stays sent with the form whatever is searched next. Without this script the
// form's Search button does the same by sending the form back.
(function () {
  var picker = document.querySelector("[data-vendor-picker]");
  if (!picker || !window.fetch) {
    return;
  }
  var box = picker.querySelector("#q");
  var matches = picker.querySelector("#vendor-matches");
  var chosen = picker.querySelector("#vendor-chosen");
  var status = picker.querySelector("#vendor-matches-status");
  var url = picker.getAttribute("data-search-url");
  var timer = null;
  var latest = 0;

  var ticked = function () {
    var ids = {};
    Array.prototype.forEach.call(chosen.querySelectorAll("input[name='vendor_ids']"), function (input) {
      if (input.checked) { ids[input.value] = true; }
    });
    return ids;
  };

  var row = function (vendor) {
    var label = document.createElement("label");
    label.className = "check";
    var input = document.createElement("input");
    input.type = "checkbox";
    input.name = "vendor_ids";
    input.value = String(vendor.id);
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + vendor.name));  // text, never markup
    return label;
  };

  // an empty list of matches takes no room (its class would show an empty box)
  var fit = function () {
    var empty = !matches.querySelector("input");
    matches.hidden = empty;
    matches.className = empty ? "" : "checks campaign-vendors";
  };

  // a vendor ticked among the matches joins the chosen ones
  matches.addEventListener("change", function (event) {
    var input = event.target;
    if (input.name === "vendor_ids" && input.checked) {
      chosen.appendChild(input.parentNode);
      fit();
    }
  });

  var search = function () {
    var asked = ++latest;
    var query = box.value.trim();
    matches.setAttribute("aria-busy", "true");
    var sep = url.indexOf("?") < 0 ? "?" : "&";
    fetch(url + sep + "q=" + encodeURIComponent(query), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (found) {
        if (asked !== latest) {
          return;  // an older answer arriving late is dropped
        }
        var keep = ticked();
        var shown = found.items.filter(function (vendor) { return !keep[String(vendor.id)]; });
        matches.textContent = "";
        shown.forEach(function (vendor) { matches.appendChild(row(vendor)); });
        fit();
        if (!found.total) {
          status.textContent = query
            ? "No vendor's name holds “" + query + "”: paste its name or invite it by email below."
            : "No vendor is on the platform: invite them by email below.";
        } else {
          status.textContent = found.total.toLocaleString("en") + (query ? " match “" + query + "”" : " vendors on the platform")
            + (found.total > found.items.length ? ": the first " + found.items.length + " are listed, type more of the name to find others." : ".");
        }
        matches.removeAttribute("aria-busy");
      })
      .catch(function () { matches.removeAttribute("aria-busy"); });
  };

  box.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 250);
  });
  // Enter in the search box searches in place instead of sending the form
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      window.clearTimeout(timer);
      search();
    }
  });
})();
