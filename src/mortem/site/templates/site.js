// Filters for the tables of the static site. Rows carry their values in data-*
// attributes (several values separated by newlines); every control of a form with
// data-filter-table names the attribute it filters. Works from file://: no requests.
(function () {
  "use strict";

  function values(row, name) {
    var raw = row.getAttribute("data-" + name);
    return raw === null ? [] : raw.split("\n");
  }

  function apply(form, table) {
    var controls = form.querySelectorAll("input[name], select[name]");
    var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
    var shown = 0;
    for (var r = 0; r < rows.length; r++) {
      var row = rows[r];
      var keep = true;
      for (var c = 0; c < controls.length && keep; c++) {
        var control = controls[c];
        var wanted = control.value.trim();
        if (!wanted) continue;
        if (control.name === "text") {
          var text = row.getAttribute("data-text") || "";
          var words = wanted.toLowerCase().split(/\s+/);
          for (var w = 0; w < words.length; w++) {
            if (text.indexOf(words[w]) < 0) { keep = false; break; }
          }
        } else {
          keep = values(row, control.name).indexOf(wanted) >= 0;
        }
      }
      row.hidden = !keep;
      if (keep) shown++;
    }
    var count = form.querySelector("output.count");
    if (count) count.textContent = shown + " of " + rows.length + " shown";
    remember(form);
  }

  // The filters live in the address (#severity=SEV1&service=x), so a filtered view can
  // be bookmarked and the back button works, from file:// as from a server.
  function remember(form) {
    var parts = [];
    form.querySelectorAll("input[name], select[name]").forEach(function (control) {
      var initial = control.tagName === "SELECT" ? defaultOption(control) : "";
      if (control.value !== initial) {
        parts.push(encodeURIComponent(control.name) + "=" + encodeURIComponent(control.value));
      }
    });
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (hash !== location.hash && history.replaceState) {
      history.replaceState(null, "", hash || location.pathname + location.search);
    }
  }

  function defaultOption(select) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].defaultSelected) return select.options[i].value;
    }
    return select.options.length ? select.options[0].value : "";
  }

  function restore(form) {
    if (!location.hash) return;
    location.hash.slice(1).split("&").forEach(function (pair) {
      var bits = pair.split("=");
      var name = decodeURIComponent(bits[0] || "");
      var value = decodeURIComponent(bits[1] || "");
      var control = form.querySelector('[name="' + name.replace(/"/g, "") + '"]');
      if (control) control.value = value;
    });
  }

  document.querySelectorAll("form[data-filter-table]").forEach(function (form) {
    var table = document.getElementById(form.getAttribute("data-filter-table"));
    if (!table) return;
    restore(form);
    form.addEventListener("input", function () { apply(form, table); });
    form.addEventListener("change", function () { apply(form, table); });
    apply(form, table);
  });
})();
